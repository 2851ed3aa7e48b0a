import IPVS
import NFTables
import Testing
import TestSupport
import Values

@testable import Proxy

/// Small element changes, and large ones that only add, go straight to the kernel through a set writer; whole-table
/// writes, large changes that remove and interval-set elements go through nft; a refused direct write makes the next
/// pass replace the table.
@Suite struct MasqueradeDirectWriteTests {
    let configuration = MasqueradeConfiguration(clusterCIDRs: [AddressPrefix("10.244.0.0/16")].compactMap { $0 })

    func desired(_ reals: [String]) -> DesiredState {
        DesiredState(virtualServers: [
            DesiredVirtualServer(server: F.vs(F.web), realServers: reals.map { F.rs($0, 8080) }, role: .clusterIP)
        ])
    }

    @Test func aSmallChangeGoesStraightToTheKernelInKernelLayout() async {
        let (nft, sets) = (FakeNFTables(), FakeNFTablesSets())
        var sync = MasqueradeSync(configuration: configuration, nft: nft, sets: sets)
        #expect(await sync.sync(desired(["10.244.0.10"]), touched: nil) == .replaced(elements: 3))
        #expect(sets.batches.isEmpty, "the first pass writes the whole table through nft")
        #expect(await sync.sync(desired(["10.244.0.11"]), touched: [F.web]) == .updated(added: 1, removed: 1))
        #expect(nft.scripts.count == 1, "no script for the change")
        #expect(
            sets.batches == [
                [
                    NFTablesSetChange(set: "hairpin-v4", add: false, keys: [[10, 244, 0, 10, 10, 244, 0, 10]]),
                    NFTablesSetChange(set: "hairpin-v4", add: true, keys: [[10, 244, 0, 11, 10, 244, 0, 11]]),
                ]
            ])
    }

    @Test func aLargeChangeThatRemovesGoesThroughNft() async {
        let (nft, sets) = (FakeNFTables(), FakeNFTablesSets())
        var sync = MasqueradeSync(configuration: configuration, nft: nft, sets: sets)
        _ = await sync.sync(desired(["10.244.9.9"]), touched: nil)
        let many = (0..<(MasqueradeSync.directLimit + 1)).map { "10.244.\($0 / 250).\($0 % 250 + 1)" }
        #expect(await sync.sync(desired(many), touched: [F.web]) == .updated(added: many.count, removed: 1))
        #expect(sets.batches.isEmpty)
        #expect(nft.scripts.count == 2)
        #expect(nft.scripts.last?.contains("delete element inet ipvs-proxy hairpin-v4 {") == true)
    }

    @Test func aLargeChangeThatOnlyAddsGoesStraightToTheKernelInTransactions() async {
        let (nft, sets) = (FakeNFTables(), FakeNFTablesSets())
        var sync = MasqueradeSync(configuration: configuration, nft: nft, sets: sets)
        _ = await sync.sync(desired([]), touched: nil)
        let count = MasqueradeSync.fillTransactionLimit + 1
        let many = (0..<count).map { "10.244.\($0 / 250).\($0 % 250 + 1)" }
        #expect(await sync.sync(desired(many), touched: [F.web]) == .updated(added: count, removed: 0))
        #expect(nft.scripts.count == 1, "only the first pass's whole table")
        #expect(sets.batches.map { $0.reduce(0) { $0 + $1.keys.count } } == [MasqueradeSync.fillTransactionLimit, 1])
        #expect(sets.batches.allSatisfy { $0.allSatisfy { $0.add && $0.set == "hairpin-v4" } })
    }

    @Test func aRefusedDirectWriteMakesTheNextPassReplaceTheTable() async {
        let (nft, sets) = (FakeNFTables(), FakeNFTablesSets())
        var sync = MasqueradeSync(configuration: configuration, nft: nft, sets: sets)
        _ = await sync.sync(desired(["10.244.0.10"]), touched: nil)
        sets.refuse(true)
        guard case .failed(let error) = await sync.sync(desired(["10.244.0.11"]), touched: [F.web]) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .rejected)
        #expect((error.cause as? IPVSError)?.code == .notFound, "the kernel's refusal is the cause: \(error)")
        #expect(!sync.inStep)
        sets.refuse(false)
        #expect(await sync.sync(desired(["10.244.0.12"]), touched: [F.web]) == .replaced(elements: 3))
        #expect(nft.scripts.count == 2)
    }

    @Test func anIntervalSetElementHasNoKernelKey() {
        let admitted = MasqueradeElement.sourceAdmitted(
            .tcp, .v4(IPv4Address(203, 0, 113, 5)), port: 443, AddressPrefix(IPv4Address(192, 0, 2, 0), length: 24))
        var delta = MasqueradeDelta()
        delta.add(.vip(.v4(IPv4Address(10, 96, 0, 1))))
        #expect(delta.setChanges()?.count == 1)
        delta.add(admitted)
        #expect(admitted.kernelKey == nil)
        #expect(delta.setChanges() == nil, "the whole change goes through nft")
    }
}
