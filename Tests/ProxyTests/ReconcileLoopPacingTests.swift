import Foundation
import IPVS
import Kube
import Logging
import Prometheus
import TestSupport
import Testing
import Values

@testable import Proxy

/// --min-sync-period, --ipvs-exclude-cidrs, the health rule and the metrics, as the loop drives them.
@Suite struct ReconcileLoopPacingTests {
    let spec = """
          clusterIP: 10.96.0.10
          ports:
          - {name: http, protocol: TCP, port: 80}
        """

    func loop(
        _ kernel: FakeKernel, _ link: FakeLink = FakeLink(), minSyncPeriod: Duration = .zero,
        excluded: [AddressPrefix] = [], metrics: ProxyMetrics? = nil, health: ProxyHealthRecorder? = nil
    ) throws -> ObservedLoop {
        var reconciler = Reconciler(kernel: kernel, link: link, logger: Logger(label: "test"))
        reconciler.excludedPrefixes = excluded
        try reconciler.adopt()
        var observers: [any ReconcileObserver] = [LogObserver(logger: Logger(label: "test"))]
        if let metrics { observers.append(metrics) }
        if let health { observers.append(health) }
        return ObservedLoop(
            loop: ReconcileLoop(
                reconciler: reconciler, tracker: DesiredStateTracker(configuration: ProxyConfiguration()),
                syncPeriod: .seconds(30), minSyncPeriod: minSyncPeriod),
            observers: observers)
    }

    func upsert(_ service: ValidatedService) -> Inbox.Input { .event(.change(.upsert(.service(service)))) }

    @Test func changesSoonerThanMinSyncPeriodWaitAndAreTakenTogether() async throws {
        let kernel = FakeKernel()
        var loop = try loop(kernel, minSyncPeriod: .seconds(1))
        _ = try await loop.handle([.event(.synced)], now: F.t0)
        let held = try await loop.handle([upsert(try Objects.web(spec: spec))], now: F.t0 + .milliseconds(200))
        #expect(kernel.applied.isEmpty)
        #expect(held.wakeAt == F.t0 + .seconds(1))
        let slice = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10")])
        let stillHeld = try await loop.handle(
            [.event(.change(.upsert(.endpointSlice(slice))))], now: F.t0 + .milliseconds(900))
        #expect(kernel.applied.isEmpty)
        #expect(stillHeld.wakeAt == F.t0 + .seconds(1))
        let due = try await loop.handle([.tick], now: F.t0 + .seconds(1))
        #expect(due.wakeAt == F.t0 + .seconds(30), "nothing is held: the next timed work is the resync")
        #expect(
            kernel.applied == [.addVirtualServer(F.vs(F.web)), .addRealServer(F.rs("10.244.0.10", 8080), to: F.web)])
    }

    @Test func zeroMinSyncPeriodAppliesAtOnce() async throws {
        let kernel = FakeKernel()
        var loop = try loop(kernel)
        _ = try await loop.handle([.event(.synced)], now: F.t0)
        let outcome = try await loop.handle([upsert(try Objects.web(spec: spec))], now: F.t0 + .nanoseconds(1))
        #expect(outcome.wakeAt == F.t0 + .seconds(30), "the next resync")
        #expect(kernel.applied == [.addVirtualServer(F.vs(F.web))])
    }

    /// A virtual server in an excluded CIDR is neither deleted (not desired, on the proxy's link) nor added
    /// (desired by a Service), and its address is neither unbound nor bound; others are handled as usual.
    @Test func excludedCIDRsAreNeverTouched() async throws {
        let foreign = F.state(F.vs(F.key(.tcp, "10.96.0.99", 80)), [])
        let stale = F.state(F.vs(F.key(.tcp, "10.96.0.50", 80)), [])
        let kernel = FakeKernel([foreign, stale])
        let link = FakeLink(addresses: [F.ip("10.96.0.99"), F.ip("10.96.0.50")])
        let excluded = [try #require(AddressPrefix("10.96.0.96/28")), try #require(AddressPrefix("10.96.0.10/32"))]
        var loop = try loop(kernel, link, excluded: excluded)
        _ = try await loop.handle([upsert(try Objects.web(spec: spec)), .event(.synced)], now: F.t0)
        #expect(kernel.applied == [.deleteVirtualServer(stale.server.key)])
        #expect(kernel.table[foreign.server.key] != nil)
        #expect(kernel.table[F.web] == nil)
        #expect(Set(try link.addresses()) == [F.ip("10.96.0.99")])
    }

    /// kube-proxy's rule: a pass that ran marks the pending changes done, refused operations included; a pass
    /// whose exchange with the kernel failed does not.
    @Test func healthFollowsPassesThatRan() async throws {
        let kernel = FakeKernel()
        let health = ProxyHealthRecorder(timeout: .seconds(60))
        var loop = try loop(kernel, health: health)
        let start = Date(timeIntervalSince1970: 1_000_000)
        health.started(at: start)
        health.initialized()
        health.queued(at: start)
        _ = try await loop.handle([.event(.synced)], now: F.t0)
        #expect(health.status(at: start + 3600).healthy, "the first pass cleared what was pending")
        let updated = try #require(health.status().lastUpdated)
        kernel.refuse(.addVirtualServer(F.vs(F.web)))
        health.queued(at: start + 10)
        _ = try await loop.handle([upsert(try Objects.web(spec: spec))], now: F.t0 + .seconds(1))
        #expect(health.status(at: Date() + 59).healthy, "a refused operation does not leave the change pending")
        #expect(health.status().lastUpdated != updated)
    }

    @Test func aPassWithRefusalsCountsAsUpdatedATransportFailureDoesNot() async {
        let refused = IPVSOperation.deleteVirtualServer(F.web)
        let refusal = IPVSError.kernel(errno: 22, operation: refused)
        let broken = IPVSError(code: .transport, message: "socket closed")
        #expect(SyncReport(failures: [refused: refusal]).completed)
        #expect(!SyncReport(failures: [refused: refusal]).succeeded)
        #expect(!SyncReport(failures: [refused: broken]).completed)
        let recorder = ProxyHealthRecorder(timeout: .seconds(60))
        let start = Date(timeIntervalSince1970: 0)
        recorder.started(at: start)
        recorder.initialized()
        recorder.queued(at: start)
        func pass(_ sync: SyncReport) -> ReconcileReport {
            .pass(
                PassReport(
                    sync: sync, full: false, touched: [], desired: DesiredState(), objectChanges: 1,
                    programmedSeen: [], wall: .zero, cpu: .zero, draining: 0, ownedVirtualServers: 0,
                    ownedRealServers: 0))
        }
        await recorder.observe(pass(SyncReport(failures: [refused: broken])))
        #expect(!recorder.status(at: start + 60).healthy, "nothing reached the kernel: still pending")
        await recorder.observe(pass(SyncReport(failures: [refused: refusal])))
        #expect(recorder.status(at: Date() + 59).healthy, "the kernel answered: updated")
    }

    @Test func metricsCountServersErrorsAndDiagnostics() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = ProxyMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let kernel = FakeKernel()
        kernel.refuse(.addRealServer(F.rs("10.244.0.11", 8080), to: F.web))
        var loop = try loop(kernel, metrics: metrics)
        let annotated = try Objects.web(spec: spec, metadata: "  annotations: {ipvs-proxy.io/scheduler: nosuch}")
        let slice = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10"), Objects.ready("10.244.0.11")])
        _ = try await loop.handle(
            [upsert(annotated), .event(.change(.upsert(.endpointSlice(slice)))), .event(.synced)], now: F.t0)
        let text = registry.emitToString()
        #expect(text.contains("ipvs_proxy_virtual_servers 1"), "\(text)")
        #expect(text.contains("ipvs_proxy_real_servers 1"), "\(text)")
        #expect(text.contains("ipvs_proxy_kernel_errors_total{kind=\"add_real_server\"} 1"), "\(text)")
        #expect(text.contains("ipvs_proxy_kernel_errors_total{kind=\"add_virtual_server\"} 0"), "\(text)")
        #expect(text.contains("ipvs_proxy_service_diagnostics{code=\"unsupportedScheduler\"} 1"), "\(text)")
        #expect(text.contains("ipvs_proxy_pending_changes 0"), "the pass ran: nothing pending\n\(text)")
        #expect(text.contains("ipvs_proxy_kernel_refusals_total{reason=\"invalidArgument\"} 1"), "\(text)")
        #expect(text.contains("ipvs_proxy_retrying_virtual_servers{reason=\"invalidArgument\"} 1"), "\(text)")
        #expect(text.contains("ipvs_proxy_sync_duration_seconds_count{kind=\"full\"} 1"), "\(text)")
        kernel.allow(.addRealServer(F.rs("10.244.0.11", 8080), to: F.web))
        _ = try await loop.handle([.tick], now: F.t0 + .seconds(1))
        let after = registry.emitToString()
        #expect(after.contains("ipvs_proxy_real_servers 2"), "\(after)")
        #expect(after.contains("ipvs_proxy_pending_changes 0"), "\(after)")
        #expect(after.contains("ipvs_proxy_retrying_virtual_servers{reason=\"invalidArgument\"} 0"), "\(after)")
        #expect(
            after.contains("ipvs_proxy_network_programming_duration_seconds_count 0"), "no seen times given\n\(after)")
        await metrics.observe(.resynced(virtualServers: 10, wall: .milliseconds(2500), cpu: .milliseconds(30)))
        #expect(registry.emitToString().contains("ipvs_proxy_resync_duration_seconds 2.5"))
    }

    @Test func networkProgrammingLatencyIsRecordedPerChange() async throws {
        let registry = PrometheusCollectorRegistry()
        var loop = try loop(FakeKernel(), metrics: ProxyMetrics(factory: PrometheusMetricsFactory(registry: registry)))
        _ = try await loop.handle([.event(.synced)], now: F.t0)
        let seen = [ContinuousClock.now, ContinuousClock.now]
        _ = try await loop.handle(
            [upsert(try Objects.web(spec: spec)), upsert(try Objects.web(spec: spec))], now: .now, seen: seen)
        #expect(registry.emitToString().contains("ipvs_proxy_network_programming_duration_seconds_count 2"))
    }
}
