import Kube
import Testing

@testable import Proxy

/// The ledger redoes only the Services it is told changed, and the kernel's problems, yet reports what a recount
/// of every Service would: each problem new once, and the number of Services with each kind.
@Suite struct DiagnosticsLedgerTests {
    static func key(_ name: String) -> ObjectKey { ObjectKey(namespace: "default", name: name) }
    static func problem(_ code: ServiceDiagnostic.Code, _ service: String, _ message: String = "why")
        -> ServiceDiagnostic
    {
        ServiceDiagnostic(code: code, service: "default/\(service)", field: "f", message: message)
    }

    /// Services with each kind of problem, counted from scratch.
    static func recount(_ all: [ObjectKey: [ServiceDiagnostic]]) -> [ServiceDiagnostic.Code: Int] {
        var counts: [ServiceDiagnostic.Code: Int] = [:]
        for problems in all.values { for code in Set(problems.map(\.code)) { counts[code, default: 0] += 1 } }
        return counts
    }

    static func nonZero(_ counts: [ServiceDiagnostic.Code: Int]) -> [ServiceDiagnostic.Code: Int] {
        counts.filter { $0.value != 0 }
    }

    @Test func aChangeAmongManyIsReportedAloneAndTheCountsMatchARecount() throws {
        var ledger = DiagnosticsLedger()
        var objects: [ObjectKey: [ServiceDiagnostic]] = [:]
        for index in 0..<1000 { objects[Self.key("s\(index)")] = [Self.problem(.badAnnotation, "s\(index)")] }
        let firstReport = ledger.update(changed: Set(objects.keys), objects: objects, kernel: [:])
        let first = try #require(firstReport)
        guard case .diagnostics(let changed, let counts) = first else { Issue.record("\(first)"); return }
        #expect(changed.count == 1000)
        #expect(Self.nonZero(counts) == [.badAnnotation: 1000])

        // One Service's problem changes and another's goes: only they are looked at, and only the new one reported.
        let s7 = Self.key("s7")
        objects[s7] = [Self.problem(.unsupportedScheduler, "s7")]
        objects[Self.key("s8")] = nil
        let secondReport = ledger.update(changed: [s7, Self.key("s8")], objects: objects, kernel: [:])
        let second = try #require(secondReport)
        guard case .diagnostics(let changed, let counts) = second else { Issue.record("\(second)"); return }
        #expect(changed == [s7: [Self.problem(.unsupportedScheduler, "s7")]])
        #expect(Self.nonZero(counts) == Self.recount(objects))
        #expect(ledger.reported == objects)

        // Told of a Service whose problems did not change: nothing to report.
        if let report = ledger.update(changed: [Self.key("s9")], objects: objects, kernel: [:]) {
            Issue.record("nothing changed, yet: \(report)")
        }
    }

    @Test func theKernelsProblemsFollowTheObjectsAndLeaveWithoutBeingToldOf() throws {
        var ledger = DiagnosticsLedger()
        let web = Self.key("web")
        let objects = [web: [Self.problem(.badAnnotation, "web")]]
        _ = ledger.update(changed: [web], objects: objects, kernel: [:])
        let refused = Self.problem(.kernelRefused, "web", "invalid argument")
        let refusedReport = ledger.update(changed: [], objects: objects, kernel: [web: [refused]])
        let report = try #require(refusedReport)
        guard case .diagnostics(let changed, let counts) = report else { Issue.record("\(report)"); return }
        #expect(changed == [web: [refused]])
        #expect(ledger.reported[web] == objects[web, default: []] + [refused])
        #expect(Self.nonZero(counts) == [.badAnnotation: 1, .kernelRefused: 1])
        if let report = ledger.update(changed: [], objects: objects, kernel: [web: [refused]]) {
            Issue.record("reported twice: \(report)")
        }

        let clearedReport = ledger.update(changed: [], objects: objects, kernel: [:])
        let cleared = try #require(clearedReport)
        guard case .diagnostics(let none, let after) = cleared else { Issue.record("\(cleared)"); return }
        #expect(none.isEmpty)
        #expect(Self.nonZero(after) == [.badAnnotation: 1])
        #expect(ledger.reported == objects)
    }
}
