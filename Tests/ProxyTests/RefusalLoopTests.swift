import Foundation
import IPVS
import Kube
import Logging
import Prometheus
import TestSupport
import Testing

@testable import Proxy

/// A Service the kernel refuses, as the loop and its observers see it over ten simulated minutes of ticks: the node
/// stays healthy, the refusal is logged once and counted by reason, and every other Service is programmed.
@Suite struct RefusalLoopTests {
    static let refused = IPVSOperation.addRealServer(F.rs("10.244.0.99", 8080), to: F.web)

    static func upsert(_ object: KubeObject) -> Inbox.Input { .event(.change(.upsert(object))) }

    static func inputs() throws -> [Inbox.Input] {
        let web = try Objects.web(spec: "  clusterIP: 10.96.0.10\n  ports:\n  - {name: http, protocol: TCP, port: 80}")
        let slice = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10"), Objects.ready("10.244.0.99")])
        let api = try Objects.api(ports: "[{name: https, protocol: TCP, port: 443}]")
        return [upsert(.service(web)), upsert(.endpointSlice(slice)), upsert(.service(api))]
    }

    struct Setup {
        var loop: ObservedLoop
        let kernel: FakeKernel
        let lines: LogCapture
        let registry: PrometheusCollectorRegistry
        let health: ProxyHealthRecorder
    }

    func setup() throws -> Setup {
        let kernel = FakeKernel()
        kernel.refuse(Self.refused)
        let lines = LogCapture()
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: lines.logger(level: .debug))
        try reconciler.adopt()
        let registry = PrometheusCollectorRegistry()
        let health = ProxyHealthRecorder(timeout: .seconds(60))
        let observers: [any ReconcileObserver] = [
            LogObserver(logger: lines.logger(level: .info)),
            ProxyMetrics(factory: PrometheusMetricsFactory(registry: registry)), health,
        ]
        let loop = ReconcileLoop(
            reconciler: reconciler, tracker: DesiredStateTracker(configuration: ProxyConfiguration()),
            syncPeriod: .seconds(30))
        return Setup(
            loop: ObservedLoop(loop: loop, observers: observers), kernel: kernel, lines: lines, registry: registry,
            health: health)
    }

    @Test func tenMinutesOfARefusedServiceKeepTheNodeHealthyAndLogItOnce() async throws {
        var setup = try setup()
        setup.health.started()
        setup.health.initialized()
        setup.health.queued(at: Date() - 3600)
        #expect(!setup.health.status().healthy, "a change waiting an hour")
        let first = try await setup.loop.handle(try Self.inputs() + [.event(.synced)], now: F.t0)
        #expect(setup.health.status().healthy, "the pass ran: the refusal does not leave the change pending")
        #expect(setup.kernel.table[F.key(.tcp, "10.96.0.20", 443)] != nil, "the other Service is programmed")
        #expect(setup.kernel.table[F.web]?.realServers.map(\.server) == [F.rs("10.244.0.10", 8080)])

        var diagnosticsReported = 0
        var outcomes = [first]
        for second in 1...600 {
            setup.health.queued(at: Date())
            outcomes.append(try await setup.loop.handle([.tick], now: F.t0 + .seconds(second)))
            #expect(setup.health.status(for: .healthz).httpStatus == 200)
            #expect(setup.health.status(for: .livez).httpStatus == 200)
        }
        for outcome in outcomes {
            for case .diagnostics(let changed, _) in outcome.reports {
                diagnosticsReported += changed.values.flatMap { $0 }.filter { $0.code == .kernelRefused }.count
            }
        }
        let attempts = setup.kernel.applied.filter { $0 == Self.refused }.count
        #expect(attempts == 10, "at 0, 1, 3, 7, 15, 31, 63, 127, 255 and 511 s; then every 5 minutes")
        #expect(diagnosticsReported == 1)
        let loud = setup.lines.atLeast(.warning).filter { !$0.message.hasPrefix("full sync") }
        #expect(loud.count == 1, "\(loud)")
        let line = try #require(loud.first)
        #expect(line.message.hasPrefix("services/default/web: virtual server TCP 10.96.0.10:80: add real server"))
        #expect(line.metadata["code"] == "kernelRefused")
        let info = setup.lines.atLeast(.info).filter { $0.message == "sync" }
        #expect(info.isEmpty, "a retry refused again logs nothing above debug: \(info)")

        let metrics = setup.registry.emitToString()
        #expect(metrics.contains("ipvs_proxy_kernel_refusals_total{reason=\"invalidArgument\"} 10"), "\(metrics)")
        #expect(metrics.contains("ipvs_proxy_retrying_virtual_servers{reason=\"invalidArgument\"} 1"), "\(metrics)")
        #expect(metrics.contains("ipvs_proxy_service_diagnostics{code=\"kernelRefused\"} 1"), "\(metrics)")
        #expect(metrics.contains("ipvs_proxy_pending_changes 0"), "\(metrics)")
        #expect(!metrics.contains("10.244.0.99"), "no address in a label")
    }

    @Test func aRetryThatSucceedsClearsTheDiagnosticAndTheGauge() async throws {
        var setup = try setup()
        let first = try await setup.loop.handle(try Self.inputs() + [.event(.synced)], now: F.t0)
        #expect(first.wakeAt == F.t0 + .seconds(1), "the retry is the loop's next timed work")
        setup.kernel.allow(Self.refused)
        let early = try await setup.loop.handle([.tick], now: F.t0 + .milliseconds(500))
        #expect(!early.reports.contains { if case .pass = $0 { true } else { false } }, "not due: no pass")
        #expect(early.wakeAt == F.t0 + .seconds(1))
        let outcome = try await setup.loop.handle([.tick], now: F.t0 + .seconds(1))
        #expect(setup.kernel.table[F.web]?.realServers.count == 2)
        let cleared = outcome.reports.contains {
            if case .diagnostics(_, let counts) = $0 { counts.values.allSatisfy { $0 == 0 } } else { false }
        }
        #expect(cleared)
        let metrics = setup.registry.emitToString()
        #expect(metrics.contains("ipvs_proxy_retrying_virtual_servers{reason=\"invalidArgument\"} 0"), "\(metrics)")
        #expect(metrics.contains("ipvs_proxy_service_diagnostics{code=\"kernelRefused\"} 0"), "\(metrics)")
    }

    @Test func anEditOfTheRefusedServiceIsTriedAtOnceAndReportedAgain() async throws {
        var setup = try setup()
        _ = try await setup.loop.handle(try Self.inputs() + [.event(.synced)], now: F.t0)
        for second in 1...100 { _ = try await setup.loop.handle([.tick], now: F.t0 + .seconds(second)) }
        let before = setup.kernel.applied.count
        let slice = try Objects.webSlice(endpoints: [
            Objects.ready("10.244.0.10"), Objects.ready("10.244.0.11"), Objects.ready("10.244.0.99"),
        ])
        _ = try await setup.loop.handle(
            [Self.upsert(.endpointSlice(slice))], now: F.t0 + .seconds(100) + .milliseconds(1))
        #expect(setup.kernel.applied.count > before, "tried at once, not at 127 s")
        #expect(setup.kernel.table[F.web]?.realServers.count == 2)
        let refusals = setup.lines.atLeast(.warning).filter { $0.metadata["code"] == "kernelRefused" }
        #expect(refusals.count == 1, "the message is unchanged, so reported once: \(refusals)")
    }

    /// A virtual server no Service wants (a stale one to delete) that the kernel refuses is logged once too.
    @Test func aRefusalOfNoServicesIsLoggedOnce() async throws {
        let stale = F.state(F.vs(F.key(.tcp, "192.168.1.5", 30080)), [])
        let kernel = FakeKernel([stale])
        kernel.refuse(.deleteVirtualServer(stale.server.key))
        let lines = LogCapture()
        var reconciler = Reconciler(
            kernel: kernel, link: FakeLink(), record: OwnershipRecord(virtualServers: [stale.server.key]),
            logger: lines.logger(level: .debug))
        try reconciler.adopt()
        var inner = ReconcileLoop(
            reconciler: reconciler, tracker: DesiredStateTracker(configuration: ProxyConfiguration()),
            syncPeriod: .seconds(30))
        inner.allowEmptySource = true  // no Service at all: the stale virtual server is to be deleted
        var loop = ObservedLoop(loop: inner, observers: [LogObserver(logger: lines.logger(level: .info))])
        _ = try await loop.handle([.event(.synced)], now: F.t0)
        for second in 1...120 { _ = try await loop.handle([.tick], now: F.t0 + .seconds(second)) }
        #expect(kernel.applied.filter { $0 == .deleteVirtualServer(stale.server.key) }.count == 7)
        let errors = lines.atLeast(.error)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.message == "kernel refused an operation; it is retried with backoff")
    }
}
