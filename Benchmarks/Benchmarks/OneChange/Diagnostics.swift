import Benchmark
import Foundation
import Kube
import Proxy

/// One Service's problem changing among 10,000 Services that all have one (each asks for a scheduler no kernel
/// has, `ipvs-proxy.io/scheduler`): the tracker takes the edit and the loop's ledger reports it. The report is
/// made for the Service that changed, not for every Service with a problem, so this costs what one Service's edit
/// costs however many Services have problems.
func diagnosticsBenchmarks() {
    let state = DiagnosedCluster()
    Benchmark("One Service's problem changes among 10,000 Services with problems") { benchmark in
        state.prepare()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            state.iteration += 1
            state.change(state.iteration)
        }
        benchmark.stopMeasurement()
    }
}

/// The tracker and the ledger, made on first use and kept across iterations (one thread runs them).
final class DiagnosedCluster: @unchecked Sendable {
    var tracker = DesiredStateTracker(configuration: ProxyConfiguration(nodeName: "node-0"))
    var ledger = DiagnosticsLedger()
    var iteration = 0
    private var prepared = false

    static func object(_ index: Int, scheduler: String) -> KubeObject {
        let data = Data(OneChangeInput.service(index, scheduler: scheduler).utf8)
        do {
            guard case .valid(let object, _, _) = DecodedItem.from(try JSONDecoder().decode(Service.self, from: data))
            else { fatalError("the benchmark's Service is invalid") }
            return object
        } catch {
            fatalError("the benchmark's Service did not decode: \(error)")
        }
    }

    func prepare() {
        guard !prepared else { return }
        prepared = true
        for index in 0..<10_000 { _ = tracker.apply(.upsert(Self.object(index, scheduler: "bogus"))) }
        report(expecting: 10_000)
    }

    /// Service 7 asks for another scheduler no kernel has: exactly its problem is reported new.
    func change(_ iteration: Int) {
        _ = tracker.apply(.upsert(Self.object(7, scheduler: "bogus-\(iteration % 2)")))
        report(expecting: 1)
    }

    private func report(expecting services: Int) {
        let changed = tracker.takeDiagnosticsChanges()
        let report = ledger.update(changed: changed, objects: tracker.diagnostics, kernel: [:])
        guard case .diagnostics(let new, _) = report, new.count == services
        else { fatalError("expected \(services) Services' problems reported") }
    }
}
