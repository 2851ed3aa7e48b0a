import IPVS
import Kube
import Logging
import TestSupport
import Testing
import Values

@testable import Proxy

@Suite struct ReconcileLoopMasqueradeTests {
    @Test func theTableIsWrittenAtTheFirstSyncAndThenOnlyWhenEndpointsOrServicesChange() async throws {
        let nft = FakeNFTables()
        var reconciler = Reconciler(kernel: FakeKernel(), link: FakeLink(), logger: Logger(label: "test"))
        try reconciler.adopt()
        let cidrs = [AddressPrefix("10.244.0.0/16")].compactMap { $0 }
        var loop = ObservedLoop(
            loop: ReconcileLoop(
                reconciler: reconciler,
                tracker: DesiredStateTracker(configuration: ProxyConfiguration()),
                syncPeriod: .seconds(30)
            ),
            observers: [
                MasqueradeObserver(
                    sync: MasqueradeSync(configuration: MasqueradeConfiguration(clusterCIDRs: cidrs), nft: nft),
                    logger: Logger(label: "test"))
            ]
        )
        let service = try Objects.web(
            spec: "  clusterIP: 10.96.0.10\n  ports:\n  - {name: http, protocol: TCP, port: 80}")
        _ = try await loop.handle([.event(.change(.upsert(.service(service)))), .event(.synced)], now: F.t0)
        #expect(nft.scripts.count == 1)
        #expect(nft.scripts.first?.contains("10.96.0.10 . tcp . 80") == true)

        _ = try await loop.handle([.tick], now: F.t0 + .seconds(1))
        #expect(nft.scripts.count == 1, "nothing changed")

        let slice = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10")])
        _ = try await loop.handle([.event(.change(.upsert(.endpointSlice(slice))))], now: F.t0 + .seconds(2))
        #expect(nft.scripts.last == "add element inet ipvs-proxy hairpin-v4 { 10.244.0.10 . 10.244.0.10 }\n")
        #expect(nft.scripts.count == 2)

        _ = try await loop.handle([.tick], now: F.t0 + .seconds(40))
        #expect(nft.scripts.count == 2, "the periodic resync finds the table in step")

        // Deleted behind the proxy's back: the next resync's first slice (a full pass to observers) writes it anew.
        nft.dropTable()
        var outcome = try await loop.handle([.tick], now: F.t0 + .seconds(70))
        #expect(nft.scripts.count == 3)
        #expect(nft.scripts.last?.contains("10.96.0.10 . tcp . 80") == true)
        while let wake = outcome.wakeAt, wake <= F.t0 + .seconds(70) {
            outcome = try await loop.handle([.tick], now: F.t0 + .seconds(70))
        }
        #expect(nft.scripts.count == 3)
    }
}
