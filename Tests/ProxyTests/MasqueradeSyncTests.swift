import Values
import IPVS
import Kube
import Testing

@testable import Proxy

@Suite struct MasqueradeSyncTests {
    let configuration = MasqueradeConfiguration(clusterCIDRs: [AddressPrefix("10.244.0.0/16")].compactMap { $0 })

    func desired(_ servers: [(VirtualServerKey, [String])]) -> DesiredState {
        DesiredState(
            virtualServers: servers.map { key, reals in
                DesiredVirtualServer(server: F.vs(key), realServers: reals.map { F.rs($0, 8080) }, role: .clusterIP)
            })
    }

    @Test func theFirstPassReplacesTheTableAndAnUnchangedPassRunsNothing() {
        let nft = FakeNFTables()
        var sync = MasqueradeSync(configuration: configuration, nft: nft)
        let state = desired([(F.web, ["10.244.0.10"])])
        #expect(sync.sync(state, touched: nil) == .replaced(elements: 2))
        #expect(nft.scripts.count == 1)
        #expect(nft.scripts.first?.hasPrefix("add table inet ipvs-proxy\ndelete table inet ipvs-proxy\n") == true)
        #expect(nft.scripts.first?.contains("10.244.0.10 . 10.244.0.10") == true)

        #expect(sync.sync(state, touched: [F.web]) == .unchanged)
        #expect(sync.sync(state, touched: nil) == .unchanged, "a full pass with the table present writes nothing")
        #expect(sync.sync(state, touched: []) == .unchanged)
        #expect(nft.scripts.count == 1)
    }

    @Test func aChangeWritesOnlyItsElements() {
        let nft = FakeNFTables()
        var sync = MasqueradeSync(configuration: configuration, nft: nft)
        _ = sync.sync(desired([(F.web, ["10.244.0.10"])]), touched: nil)
        let action = sync.sync(desired([(F.web, ["10.244.0.11"]), (F.dns, [])]), touched: [F.web, F.dns])
        #expect(action == .updated(added: 2, removed: 1))
        #expect(
            nft.scripts.last
                == "delete element inet ipvs-proxy hairpin-v4 { 10.244.0.10 . 10.244.0.10 }\n"
                + "add element inet ipvs-proxy hairpin-v4 { 10.244.0.11 . 10.244.0.11 }\n"
                + "add element inet ipvs-proxy masq-outside-v4 { 10.96.0.10 . udp . 53 }\n")
    }

    @Test func aFailedWriteIsRetriedAsAWholeTableReplace() {
        let nft = FakeNFTables()
        var sync = MasqueradeSync(configuration: configuration, nft: nft)
        _ = sync.sync(desired([(F.web, [])]), touched: nil)
        nft.refuse(true)
        let failed = sync.sync(desired([(F.web, ["10.244.0.10"])]), touched: [F.web])
        guard case .failed = failed else {
            Issue.record("expected a failure, got \(failed)")
            return
        }
        #expect(!sync.inStep)
        nft.refuse(false)
        #expect(sync.sync(desired([(F.web, ["10.244.0.10"])]), touched: []) == .replaced(elements: 2))
        #expect(nft.scripts.count == 2)
        #expect(nft.scripts.last?.contains("10.244.0.10 . 10.244.0.10") == true, "the element of the failed pass")
    }

    @Test func aFullPassRewritesATableRemovedBehindTheProxysBack() {
        let nft = FakeNFTables()
        var sync = MasqueradeSync(configuration: configuration, nft: nft)
        let state = desired([(F.web, ["10.244.0.10"])])
        _ = sync.sync(state, touched: nil)
        nft.dropTable()
        #expect(sync.sync(state, touched: [F.web]) == .unchanged, "an incremental pass does not look")
        #expect(sync.sync(state, touched: nil) == .replaced(elements: 2))
    }

    @Test func cleanupDeletesTheTable() throws {
        let nft = FakeNFTables()
        try MasqueradeSync(configuration: configuration, nft: nft).cleanup()
        #expect(nft.scripts == ["add table inet ipvs-proxy\ndelete table inet ipvs-proxy\n"])
    }
}
