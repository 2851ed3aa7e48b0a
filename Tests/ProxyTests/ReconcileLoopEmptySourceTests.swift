import Foundation
import IPVS
import Kube
import Logging
import TestSupport
import Testing

@testable import Proxy

/// A source whose whole input is empty never empties the kernel on its own: the first sync waits while the proxy
/// owns virtual servers, unless `--allow-empty-source` says an empty input is meant.
@Suite struct ReconcileLoopEmptySourceTests {
    let spec = """
          clusterIP: 10.96.0.10
          ports:
          - {name: http, protocol: TCP, port: 80}
        """

    /// A kernel holding one virtual server the proxy owns (its VIP is on the link).
    func owned() -> (FakeKernel, FakeLink) {
        (FakeKernel([F.state(F.vs(F.key(.tcp, F.vip, 443)), [])]), FakeLink(addresses: [F.ip(F.vip)]))
    }

    func loop(_ kernel: FakeKernel, _ link: FakeLink, allowEmpty: Bool = false) throws -> ReconcileLoop {
        var reconciler = Reconciler(kernel: kernel, link: link, logger: Logger(label: "test"))
        try reconciler.adopt()
        var loop = ReconcileLoop(
            reconciler: reconciler, tracker: DesiredStateTracker(configuration: ProxyConfiguration()),
            syncPeriod: .seconds(30))
        loop.allowEmptySource = allowEmpty
        return loop
    }

    static func heldBack(_ outcome: ReconcileLoop.Outcome) -> [Int] {
        outcome.reports.compactMap { if case .heldBack(let owned, true) = $0 { owned } else { nil } }
    }

    @Test func anEmptySourceHoldsTheFirstSyncBackOnceReportedUntilItHoldsSomething() throws {
        let (kernel, link) = owned()
        var loop = try loop(kernel, link)
        let first = try loop.handle([.event(.synced)], now: F.t0)
        #expect(first.heldBack && !first.firstSyncDone)
        #expect(Self.heldBack(first) == [1])
        let later = try loop.handle([.tick], now: F.t0 + .seconds(60))
        #expect(later.heldBack)
        #expect(Self.heldBack(later).isEmpty, "logged once")
        #expect(later.reports.contains { if case .heldBack(1, false) = $0 { true } else { false } })
        #expect(kernel.applied.isEmpty)
        #expect(link.writes == 0)
        let service = try Objects.web(spec: spec)
        let synced = try loop.handle([.event(.change(.upsert(.service(service))))], now: F.t0 + .seconds(61))
        #expect(!synced.heldBack && synced.firstSyncDone)
        #expect(Set(kernel.applied) == [.addVirtualServer(F.vs(F.web)), .deleteVirtualServer(F.key(.tcp, F.vip, 443))])
    }

    /// Holding back is a decision, not a stall: changes that arrive meanwhile (slices without their Service) do
    /// not turn /healthz 503, since a restart would hold back the same way.
    @Test func aHeldBackFirstSyncKeepsTheNodeHealthy() async throws {
        let (kernel, link) = owned()
        var loop = try loop(kernel, link)
        let health = ProxyHealthRecorder(timeout: .seconds(60))
        health.started(at: Date() - 3600)
        health.initialized()
        health.queued(at: Date() - 120)
        #expect(!health.status().healthy)
        let slice = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10")])
        let held = try loop.handle([.event(.change(.upsert(.endpointSlice(slice)))), .event(.synced)], now: F.t0)
        #expect(held.heldBack)
        for report in held.reports { await health.observe(report) }
        #expect(health.status().healthy)
        #expect(kernel.applied.isEmpty)
    }

    @Test func allowEmptySourceLetsTheFirstSyncEmptyWhatTheProxyOwns() throws {
        let (kernel, link) = owned()
        var loop = try loop(kernel, link, allowEmpty: true)
        let first = try loop.handle([.event(.synced)], now: F.t0)
        #expect(!first.heldBack && first.firstSyncDone)
        #expect(kernel.applied == [.deleteVirtualServer(F.key(.tcp, F.vip, 443))])
    }

    @Test func anEmptySourceOnANodeWithNothingOwnedSyncsAtOnce() throws {
        let kernel = FakeKernel()
        var loop = try loop(kernel, FakeLink())
        let first = try loop.handle([.event(.synced)], now: F.t0)
        #expect(!first.heldBack && first.firstSyncDone)
        #expect(Self.heldBack(first).isEmpty)
    }

    @Test func onlyTheFirstSyncIsGuarded() throws {
        let (kernel, link) = owned()
        var loop = try loop(kernel, link)
        let service = try Objects.web(spec: spec)
        _ = try loop.handle([.event(.change(.upsert(.service(service)))), .event(.synced)], now: F.t0)
        let emptied = try loop.handle([.event(.change(.delete(.service(service))))], now: F.t0 + .seconds(1))
        #expect(!emptied.heldBack)
        #expect(kernel.applied.last == .deleteVirtualServer(F.web))
    }
}
