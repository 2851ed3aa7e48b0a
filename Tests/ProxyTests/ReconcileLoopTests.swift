import Values
import IPVS
import Kube
import Logging
import TestSupport
import Testing

@testable import Proxy

@Suite struct ReconcileLoopTests {
    let spec = """
          clusterIP: 10.96.0.10
          ports:
          - {name: http, protocol: TCP, port: 80}
        """

    func loop(_ kernel: FakeKernel, _ link: FakeLink = FakeLink()) throws -> ReconcileLoop {
        var reconciler = Reconciler(kernel: kernel, link: link, logger: Logger(label: "test"))
        try reconciler.adopt()
        return ReconcileLoop(
            reconciler: reconciler,
            tracker: DesiredStateTracker(configuration: ProxyConfiguration()),
            syncPeriod: .seconds(30)
        )
    }

    @Test func nothingIsWrittenBeforeTheInitialStateIsComplete() throws {
        let stale = F.state(F.vs(F.key(.tcp, F.vip, 443)), [])
        let kernel = FakeKernel([stale])
        var loop = try loop(kernel, FakeLink(addresses: [F.ip(F.vip)]))
        let service = try Objects.web(spec: spec)
        let early = try loop.handle([.event(.change(.upsert(.service(service)))), .tick], now: F.t0)
        #expect(!early.firstSyncDone)
        #expect(kernel.applied.isEmpty)
        let synced = try loop.handle([.event(.synced)], now: F.t0)
        #expect(synced.firstSyncDone)
        #expect(Set(kernel.applied) == [.addVirtualServer(F.vs(F.web)), .deleteVirtualServer(stale.server.key)])
    }

    @Test func aBurstOfChangesIsOnePassOverWhatItTouched() throws {
        let kernel = FakeKernel()
        var loop = try loop(kernel)
        _ = try loop.handle([.event(.synced)], now: F.t0)
        let service = try Objects.web(spec: spec)
        let slice1 = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10")])
        let slice2 = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10"), Objects.ready("10.244.0.11")])
        _ = try loop.handle(
            [
                .event(.change(.upsert(.service(service)))), .event(.change(.upsert(.endpointSlice(slice1)))),
                .event(.change(.upsert(.endpointSlice(slice2)))),
            ],
            now: F.t0 + .seconds(1)
        )
        #expect(
            kernel.applied == [
                .addVirtualServer(F.vs(F.web)), .addRealServer(F.rs("10.244.0.10", 8080), to: F.web),
                .addRealServer(F.rs("10.244.0.11", 8080), to: F.web),
            ]
        )
    }

    @Test func periodicResyncRepairsDrift() throws {
        let kernel = FakeKernel()
        var loop = try loop(kernel)
        _ = try loop.handle([.event(.change(.upsert(.service(try Objects.web(spec: spec))))), .event(.synced)], now: F.t0)
        _ = kernel.apply([.deleteVirtualServer(F.web)])
        _ = try loop.handle([.tick], now: F.t0 + .seconds(10))
        #expect(kernel.table[F.web] == nil, "not due yet")
        _ = try loop.handle([.tick], now: F.t0 + .seconds(30))
        #expect(kernel.table[F.web] != nil)
    }

    @Test func theSourceEndingIsAnError() throws {
        var loop = try loop(FakeKernel())
        let ended = #expect(throws: CodedError<ReconcileLoop.ErrorCode>.self) {
            try loop.handle([.sourceEnded], now: F.t0)
        }
        #expect(ended?.code == .sourceEnded)
    }
}
