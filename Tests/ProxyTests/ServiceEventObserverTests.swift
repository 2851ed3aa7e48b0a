import Values
import Kube
import Testing

@testable import Proxy

/// Each diagnostic code becomes an Event with a CamelCase reason and action, a Warning unless it is the operator's
/// policy at work; only the problems that are news are recorded, as the log reports them.
@Suite struct ServiceEventObserverTests {
    final class Sink: EventSink {
        let recorded = Locked<[KubeEvent]>([])
        func record(_ event: KubeEvent) { recorded.withLock { $0.append(event) } }
    }

    static let expected: [(ServiceDiagnostic.Code, reason: String, action: String, type: KubeEvent.Kind)] = [
        (.unsupportedScheduler, "UnsupportedScheduler", "UseDefaultScheduler", .warning),
        (.badAnnotation, "BadAnnotation", "IgnoreAnnotation", .warning),
        (.unsupportedAnnotation, "UnsupportedAnnotation", "IgnoreAnnotation", .warning),
        (.refusedEndpoint, "RefusedEndpoint", "LeaveOutEndpoint", .warning),
        (.otherFamily, "OtherFamily", "LeaveOutAddress", .warning),
        (.kernelRefused, "KernelRefused", "RetryWithBackoff", .warning),
        (.sharedVirtualServer, "SharedVirtualServer", "ShareVirtualServer", .warning),
        (.heldByAnotherProgram, "HeldByAnotherProgram", "LeaveAlone", .warning),
        (.ignoredByPolicy, "IgnoredByPolicy", "IgnoreAnnotation", .normal),
        (.badSourceRange, "BadSourceRange", "LeaveOutSourceRange", .warning),
        (.notProbed, "NotProbed", "ServeUnprobed", .warning),
        (.otherProxysSlice, "OtherProxysSlice", "LeaveOutEndpointSlice", .warning),
    ]

    @Test func everyCodeHasAnEventReasonActionAndType() {
        #expect(Set(Self.expected.map(\.0)) == Set(ServiceDiagnostic.Code.allCases))
        let key = ObjectKey(namespace: "shop", name: "web")
        for (code, reason, action, type) in Self.expected {
            let diagnostic = ServiceDiagnostic(code: code, service: "shop/web", field: "spec.x", message: "why")
            let event = diagnostic.event(on: key)
            #expect(event.reason == reason && event.action == action && event.type == type, "\(code)")
            #expect(event.regarding == .service(key) && event.note == "spec.x: why")
        }
    }

    @Test func onlyTheProblemsThatAreNewsAreRecorded() async {
        let sink = Sink()
        let observer = ServiceEventObserver(sink: sink)
        let db = ObjectKey(namespace: "shop", name: "db")
        let old = ServiceDiagnostic(code: .badAnnotation, service: "shop/web", field: "a", message: "old")
        let new = ServiceDiagnostic(code: .unsupportedScheduler, service: "shop/db", field: "b", message: "new")
        await observer.observe(.diagnostics(changed: [db: [new]], counts: [old.code: 1, new.code: 1]))
        await observer.observe(.pending(3))
        #expect(sink.recorded.withLock { $0 } == [new.event(on: db)])
    }
}
