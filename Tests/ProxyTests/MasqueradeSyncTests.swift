import IPVS
import Kube
import NFTables
import Testing
import TestSupport
import Values

@testable import Proxy

@Suite struct MasqueradeSyncTests {
    let configuration = MasqueradeConfiguration(clusterCIDRs: [AddressPrefix("10.244.0.0/16")].compactMap { $0 })

    func desired(_ servers: [(VirtualServerKey, [String])]) -> DesiredState {
        DesiredState(
            virtualServers: servers.map { key, reals in
                DesiredVirtualServer(server: F.vs(key), realServers: reals.map { F.rs($0, 8080) }, role: .clusterIP)
            })
    }

    @Test func aRestartFindingTheSameTableKeepsItAndADifferentOneIsWritten() async {
        let state = desired([(F.web, ["10.244.0.10"])])
        let earlier = FakeNFTables()
        var first = MasqueradeSync(configuration: configuration, nft: earlier)
        #expect(await first.prepare() == .replaced(elements: 0))
        #expect(await first.sync(state, touched: nil) == .replaced(elements: 3))
        let written = try? #require(earlier.scripts.last)
        let mark = written.flatMap(NFTablesScript.mark(in:))
        #expect(mark?.hasPrefix("ipvs-proxy ") == true, "\(written ?? "")")

        // The next run finds that table: the same objects keep it, nothing is run.
        let same = FakeNFTables()
        same.place(mark: mark ?? "")
        var restarted = MasqueradeSync(configuration: configuration, nft: same)
        #expect(await restarted.prepare() == .unchanged)
        #expect(await restarted.sync(state, touched: nil) == .kept(elements: 3))
        #expect(same.scripts.isEmpty, "an unchanged restart writes nothing")
        let moved = desired([(F.web, ["10.244.0.11"])])
        #expect(await restarted.sync(moved, touched: [F.web]) == .updated(added: 1, removed: 1))

        // Other objects (or another version's rules), or a table without a mark: written whole.
        for found in [mark ?? "", ""] {
            let other = FakeNFTables()
            other.place(mark: found)
            var changed = MasqueradeSync(configuration: configuration, nft: other)
            #expect(await changed.prepare() == .unchanged)
            let objects = found.isEmpty ? state : desired([(F.web, ["10.244.0.12"])])
            #expect(await changed.sync(objects, touched: nil) == .replaced(elements: 3))
            #expect(other.scripts.count == 1)
        }
        // Only at start: a later full write is never skipped for an old mark.
        #expect(NFTablesScript.mark(in: NFTablesScript.update(table: "t", delta: MasqueradeDelta())) == nil)
    }

    @Test func theFirstPassReplacesTheTableAndAnUnchangedPassRunsNothing() async {
        let nft = FakeNFTables()
        var sync = MasqueradeSync(configuration: configuration, nft: nft)
        let state = desired([(F.web, ["10.244.0.10"])])
        do {
            let action = await sync.sync(state, touched: nil)
            #expect(action == .replaced(elements: 3))
        }
        #expect(nft.scripts.count == 1)
        #expect(nft.scripts.first?.hasPrefix("add table inet ipvs-proxy\ndelete table inet ipvs-proxy\n") == true)
        #expect(nft.scripts.first?.contains("10.244.0.10 . 10.244.0.10") == true)

        do {
            let action = await sync.sync(state, touched: [F.web])
            #expect(action == .unchanged)
        }
        do {
            let action = await sync.sync(state, touched: nil)
            #expect(action == .unchanged, "a full pass with the table present writes nothing")
        }
        do {
            let action = await sync.sync(state, touched: [])
            #expect(action == .unchanged)
        }
        #expect(nft.scripts.count == 1)
    }

    @Test func aChangeWritesOnlyItsElements() async {
        let nft = FakeNFTables()
        var sync = MasqueradeSync(configuration: configuration, nft: nft)
        _ = await sync.sync(desired([(F.web, ["10.244.0.10"])]), touched: nil)
        let action = await sync.sync(desired([(F.web, ["10.244.0.11"]), (F.dns, [])]), touched: [F.web, F.dns])
        #expect(action == .updated(added: 3, removed: 1))
        #expect(
            nft.scripts.last
                == "delete element inet ipvs-proxy hairpin-v4 { 10.244.0.10 . 10.244.0.10 }\n"
                + "add element inet ipvs-proxy hairpin-v4 { 10.244.0.11 . 10.244.0.11 }\n"
                + "add element inet ipvs-proxy masq-outside-v4 { 10.96.0.10 . udp . 53 }\n"
                + "add element inet ipvs-proxy vip-ports-v4 { 10.96.0.10 . udp . 53 }\n")
    }

    @Test func aFailedWriteIsRetriedAsAWholeTableReplace() async {
        let nft = FakeNFTables()
        var sync = MasqueradeSync(configuration: configuration, nft: nft)
        _ = await sync.sync(desired([(F.web, [])]), touched: nil)
        nft.refuse(true)
        let failed = await sync.sync(desired([(F.web, ["10.244.0.10"])]), touched: [F.web])
        guard case .failed = failed else {
            Issue.record("expected a failure, got \(failed)")
            return
        }
        #expect(!sync.inStep)
        nft.refuse(false)
        do {
            let action = await sync.sync(desired([(F.web, ["10.244.0.10"])]), touched: [])
            #expect(action == .replaced(elements: 3))
        }
        #expect(nft.scripts.count == 2)
        #expect(nft.scripts.last?.contains("10.244.0.10 . 10.244.0.10") == true, "the element of the failed pass")
    }

    @Test func aFullPassRewritesATableRemovedBehindTheProxysBack() async {
        let nft = FakeNFTables()
        var sync = MasqueradeSync(configuration: configuration, nft: nft)
        let state = desired([(F.web, ["10.244.0.10"])])
        _ = await sync.sync(state, touched: nil)
        nft.dropTable()
        do {
            let action = await sync.sync(state, touched: [F.web])
            #expect(action == .unchanged, "an incremental pass does not look")
        }
        do {
            let action = await sync.sync(state, touched: nil)
            #expect(action == .replaced(elements: 3))
        }
    }

    @Test func anAddressBoundOrUnboundOnTheVIPLinkWritesOnlyItsVIPElement() async {
        let nft = FakeNFTables()
        var sync = MasqueradeSync(configuration: configuration, nft: nft)
        var state = desired([(F.web, [])])
        state.boundAddresses = [F.ip(F.vip)]
        _ = await sync.sync(state, touched: nil)
        #expect(nft.scripts.last?.contains("set vips-v4 {\n        type ipv4_addr\n        elements = {\n") == true)
        state.boundAddresses.insert(F.ip("fd00:96::1"))
        #expect(await sync.sync(state, touched: [], addresses: [F.ip("fd00:96::1")]) == .updated(added: 1, removed: 0))
        #expect(nft.scripts.last == "add element inet ipvs-proxy vips-v6 { fd00:96::1 }\n")
        state.boundAddresses = []
        #expect(await sync.sync(state, touched: [], addresses: [F.ip(F.vip)]) == .updated(added: 0, removed: 1))
        #expect(nft.scripts.last == "delete element inet ipvs-proxy vips-v4 { 10.96.0.10 }\n")
        #expect(await sync.sync(state, touched: nil) == .updated(added: 0, removed: 1), "a full pass finds the rest")
        #expect(nft.scripts.last == "delete element inet ipvs-proxy vips-v6 { fd00:96::1 }\n")
    }

    @Test func cleanupDeletesTheTable() async throws {
        let nft = FakeNFTables()
        try await MasqueradeSync(configuration: configuration, nft: nft).cleanup()
        #expect(nft.scripts == ["add table inet ipvs-proxy\ndelete table inet ipvs-proxy\n"])
    }
}
