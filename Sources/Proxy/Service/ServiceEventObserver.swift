import Kube

/// Tells kubectl users what the log tells the operator: each Service's problem, when it is news (as the log
/// reports it), becomes a Kubernetes Event on that Service through an ``EventSink`` (the API server's, wired in by
/// the command line; with a manifests directory there is no API and no sink, and the log alone says it). The sink
/// deduplicates, rate-limits and never waits.
public struct ServiceEventObserver: ReconcileObserver {
    let sink: any EventSink

    /// An observer recording into `sink`.
    public init(sink: any EventSink) {
        self.sink = sink
    }

    public func observe(_ report: ReconcileReport) async {
        guard case .diagnostics(let changed, _) = report else { return }
        for (service, diagnostics) in changed.sorted(by: { $0.key < $1.key }) {
            for diagnostic in diagnostics { sink.record(diagnostic.event(on: service)) }
        }
    }
}

extension ServiceDiagnostic.Code {
    /// The Event's `reason`: the code in CamelCase (`UnsupportedScheduler`).
    public var eventReason: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    /// The Event's `type`: Normal for the operator's policy at work, else Warning.
    public var eventType: KubeEvent.Kind { isPolicyNotice ? .normal : .warning }

    /// The Event's `action`: what the proxy did instead.
    public var eventAction: String {
        switch self {
        case .unsupportedScheduler: "UseDefaultScheduler"
        case .badAnnotation, .unsupportedAnnotation, .ignoredByPolicy: "IgnoreAnnotation"
        case .refusedEndpoint: "LeaveOutEndpoint"
        case .otherFamily: "LeaveOutAddress"
        case .kernelRefused: "RetryWithBackoff"
        case .sharedVirtualServer: "ShareVirtualServer"
        case .heldByAnotherProgram: "LeaveAlone"
        case .badSourceRange: "LeaveOutSourceRange"
        case .notProbed: "ServeUnprobed"
        case .otherProxysSlice: "LeaveOutEndpointSlice"
        }
    }
}

extension ServiceDiagnostic {
    /// The Event saying this on the Service `service`: a Warning, or Normal for the operator's policy at work.
    public func event(on service: ObjectKey) -> KubeEvent {
        KubeEvent(
            regarding: .service(service), type: code.eventType, reason: code.eventReason,
            action: code.eventAction, note: "\(field): \(message)")
    }
}
