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

    @Test func aRestartFindingTheSameTableKeepsItMendsAFewElementsAndReplacesAnotherStructure() async {
        let state = desired([(F.web, ["10.244.0.10"])])
        let earlier = FakeNFTables()
        var first = MasqueradeSync(configuration: configuration, nft: earlier)
        #expect(await first.prepare() == .replaced(elements: 0))
        #expect(await first.sync(state, touched: nil) == .replaced(elements: 3))
        let mark = NFTablesScript.mark(for: configuration)
        #expect(mark.hasPrefix("ipvs-proxy "))
        #expect(earlier.scripts.map(NFTablesScript.mark(in:)) == [mark, mark], "the mark does not follow elements")

        // The next run finds that table with the same elements: it keeps it; nothing is run or written.
        let (same, sets) = (FakeNFTables(), FakeNFTablesSets())
        same.place(mark: mark)
        sets.place(first.tracker.elements)
        var restarted = MasqueradeSync(configuration: configuration, nft: same, sets: sets)
        #expect(await restarted.prepare() == .unchanged)
        #expect(await restarted.sync(state, touched: nil) == .kept(elements: 3))
        #expect(same.scripts.isEmpty && sets.batches.isEmpty, "an unchanged restart writes nothing")
        #expect(sets.reads == 1, "the sets are read back once, at start")
        let moved = desired([(F.web, ["10.244.0.11"])])
        #expect(await restarted.sync(moved, touched: [F.web]) == .updated(added: 1, removed: 1))
        #expect(await restarted.sync(moved, touched: nil) == .unchanged, "a full pass reads nothing back")
        #expect(sets.reads == 1)

        // A table whose elements a previous run changed after its whole write (the mark is that of the structure):
        // only the elements that differ are written, deletions first, in one batch.
        let (changed, changedSets) = (FakeNFTables(), FakeNFTablesSets())
        changed.place(mark: mark)
        changedSets.place(restarted.tracker.elements)
        var mended = MasqueradeSync(configuration: configuration, nft: changed, sets: changedSets)
        _ = await mended.prepare()
        #expect(await mended.sync(state, touched: nil) == .mended(elements: 3, added: 1, removed: 1))
        #expect(changed.scripts.isEmpty)
        #expect(
            changedSets.batches.map { $0.filter { !$0.keys.isEmpty } } == [
                [
                    NFTablesSetChange(set: "hairpin-v4", add: false, keys: [[10, 244, 0, 11, 10, 244, 0, 11]]),
                    NFTablesSetChange(set: "hairpin-v4", add: true, keys: [[10, 244, 0, 10, 10, 244, 0, 10]]),
                ]
            ])

        // Another structure (other cluster CIDRs, another version's rules), a table without a mark, or no way to
        // read the sets back: written whole.
        let otherStructure = NFTablesScript.mark(
            for: MasqueradeConfiguration(clusterCIDRs: [AddressPrefix("10.0.0.0/8")].compactMap { $0 }))
        #expect(otherStructure != mark)
        for (found, reader) in [(otherStructure, true), ("", true), (mark, false)] {
            let (other, otherSets) = (FakeNFTables(), FakeNFTablesSets())
            other.place(mark: found)
            otherSets.place(first.tracker.elements)
            var replaced = MasqueradeSync(configuration: configuration, nft: other, sets: reader ? otherSets : nil)
            #expect(await replaced.prepare() == .unchanged)
            #expect(await replaced.sync(state, touched: nil) == .replaced(elements: 3))
            #expect(other.scripts.count == 1)
            #expect(otherSets.reads == 0)
        }
        // Only at start: a later full write is never skipped for an old mark.
        #expect(NFTablesScript.mark(in: NFTablesScript.update(table: "t", delta: MasqueradeDelta())) == nil)
    }

    @Test func aRestartFindingManyOrRangeElementsDifferentReplacesTheTable() async {
        var guarded = DesiredVirtualServer(server: F.vs(F.web), realServers: [F.rs("10.244.0.10", 8080)])
        guarded.sourceRanges = SourceRanges([AddressPrefix("192.0.2.0/24")].compactMap { $0 }, admitsNode: false)
        let state = DesiredState(virtualServers: [guarded])
        var tracker = MasqueradeTracker(configuration: configuration)
        tracker.rebuild(from: state)
        let narrower = tracker.elements.map { element -> MasqueradeElement in
            guard case .sourceAdmitted(let proto, let address, let port, _) = element else { return element }
            return .sourceAdmitted(proto, address, port: port, AddressPrefix(IPv4Address(192, 0, 2, 0), length: 25))
        }
        let many = (0...MasqueradeSync.directLimit).map {
            MasqueradeElement.vip(.v4(IPv4Address(0x0a61_0000 + UInt32($0))))
        }
        for (found, expected) in [
            (tracker.elements.map { $0 }, MasqueradeSync.Action.kept(elements: tracker.elementCount)),
            (narrower, .replaced(elements: tracker.elementCount)),
            (tracker.elements.map { $0 } + many, .replaced(elements: tracker.elementCount)),
        ] {
            let (nft, sets) = (FakeNFTables(), FakeNFTablesSets())
            nft.place(mark: NFTablesScript.mark(for: configuration))
            sets.place(found)
            var sync = MasqueradeSync(configuration: configuration, nft: nft, sets: sets)
            _ = await sync.prepare()
            #expect(await sync.sync(state, touched: nil) == expected)
            #expect(sets.batches.isEmpty, "ranges and large differences go through nft, in one transaction")
        }
    }

    @Test func emptySetsFoundAtStartAreFilledInTransactionsOfTheirOwn() async {
        let reals = (0..<(MasqueradeSync.fillTransactionLimit + 100)).map {
            "10.\(100 + $0 / 65536).\($0 / 256 % 256).\($0 % 256)"
        }
        let state = desired([(F.web, reals)])
        let (nft, sets) = (FakeNFTables(), FakeNFTablesSets())
        var sync = MasqueradeSync(configuration: configuration, nft: nft, sets: sets)
        #expect(await sync.prepare() == .replaced(elements: 0), "the table is created with empty sets")
        let count = reals.count + 2
        #expect(await sync.sync(state, touched: nil) == .mended(elements: count, added: count, removed: 0))
        #expect(sets.reads == 0, "sets created empty are not read back")
        #expect(nft.scripts.count == 1, "only the empty table went through nft")
        #expect(sets.batches.count == 2, "two transactions")
        #expect(sets.batches.map { $0.reduce(0) { $0 + $1.keys.count } } == [MasqueradeSync.fillTransactionLimit, 102])
        let adds = sets.batches.joined().map(\.add)
        #expect(adds.allSatisfy { $0 }, "only additions")
        // With the sets filled, a restart keeps them.
        var restarted = MasqueradeSync(configuration: configuration, nft: nft, sets: sets)
        _ = await restarted.prepare()
        #expect(await restarted.sync(state, touched: nil) == .kept(elements: count))
    }

    /// The sets of a table found at start are read back while the objects are read, not once the first pass is
    /// due; the sets of a table the proxy creates are not read at all (they were created empty).
    @Test func theSetsAreReadBackAtStartAndThoseOfACreatedTableNotAtAll() async {
        let state = desired([(F.web, ["10.244.0.10"])])
        var tracker = MasqueradeTracker(configuration: configuration)
        tracker.rebuild(from: state)
        let (nft, sets) = (FakeNFTables(), FakeNFTablesSets())
        nft.place(mark: NFTablesScript.mark(for: configuration))
        sets.place(tracker.elements)
        var restarted = MasqueradeSync(configuration: configuration, nft: nft, sets: sets)
        #expect(await restarted.prepare() == .unchanged)
        await waitFor(limit: starvedPoolLimit) { sets.reads == 1 }
        #expect(sets.reads == 1, "read before any pass")
        #expect(await restarted.sync(state, touched: nil) == .kept(elements: 3))
        #expect(sets.reads == 1 && sets.batches.isEmpty)

        let (created, createdSets) = (FakeNFTables(), FakeNFTablesSets())
        var fresh = MasqueradeSync(configuration: configuration, nft: created, sets: createdSets)
        #expect(await fresh.prepare() == .replaced(elements: 0))
        #expect(await fresh.sync(state, touched: nil) == .mended(elements: 3, added: 3, removed: 0))
        #expect(createdSets.reads == 0, "sets created empty are not read back")
    }

    /// Sets whose dump repeats every key.
    final class Repeating: NFTablesSetAccess {
        let base = FakeNFTablesSets()

        func apply(table: String, _ changes: [NFTablesSetChange]) throws(IPVSError) {
            try base.apply(table: table, changes)
        }

        func keys(table: String, sets: [String]) throws(IPVSError) -> [String: [[UInt8]]] {
            try base.keys(table: table, sets: sets).mapValues { $0 + $0 }
        }
    }

    /// A key read back twice (which a dump of the kernel's does not hold) is neither taken for one to remove nor
    /// removed twice.
    @Test func aKeyReadBackTwiceIsNotTakenForGone() async {
        let state = desired([(F.web, ["10.244.0.10"])])
        var tracker = MasqueradeTracker(configuration: configuration)
        tracker.rebuild(from: state)
        let stray = MasqueradeElement.vip(.v4(IPv4Address(10, 96, 9, 9)))
        for (found, expected) in [
            (Array(tracker.elements), MasqueradeSync.Action.kept(elements: 3)),
            (Array(tracker.elements) + [stray], .mended(elements: 3, added: 0, removed: 1)),
        ] {
            let (nft, sets) = (FakeNFTables(), Repeating())
            nft.place(mark: NFTablesScript.mark(for: configuration))
            sets.base.place(found)
            var sync = MasqueradeSync(configuration: configuration, nft: nft, sets: sets)
            _ = await sync.prepare()
            #expect(await sync.sync(state, touched: nil) == expected)
            let written = sets.base.batches.joined().filter { !$0.keys.isEmpty }
            let removal = NFTablesSetChange(set: "vips-v4", add: false, keys: [[10, 96, 9, 9]])
            #expect(written == (found.count > 3 ? [removal] : []))
        }
    }

    @Test func aSetReadOrFillTheKernelRefusesIsFollowedByAWholeTableWrite() async {
        let state = desired([(F.web, ["10.244.0.10"])])
        let (nft, sets) = (FakeNFTables(), FakeNFTablesSets())
        var sync = MasqueradeSync(configuration: configuration, nft: nft, sets: sets)
        #expect(await sync.prepare() == .replaced(elements: 0))
        sets.refuse(true)
        guard case .failed(let error) = await sync.sync(state, touched: nil) else {
            Issue.record("expected the refused read to fail the pass")
            return
        }
        #expect(error.code == .rejected && (error.cause as? IPVSError)?.code == .notFound, "\(error)")
        #expect(!sync.inStep)
        sets.refuse(false)
        #expect(await sync.sync(state, touched: nil) == .replaced(elements: 3), "the next full pass writes it whole")
        #expect(sets.reads == 0 && sets.batches.isEmpty)
    }

    @Test func changesAreCutIntoTransactionsInOrder() {
        let changes = [
            NFTablesSetChange(set: "a", add: true, keys: [[1], [2], [3]]),
            NFTablesSetChange(set: "b", add: true, keys: [[4]]),
            NFTablesSetChange(set: "c", add: true, keys: [[5], [6]]),
        ]
        #expect(
            MasqueradeSync.transactions(changes, limit: 2) == [
                [NFTablesSetChange(set: "a", add: true, keys: [[1], [2]])],
                [
                    NFTablesSetChange(set: "a", add: true, keys: [[3]]),
                    NFTablesSetChange(set: "b", add: true, keys: [[4]]),
                ],
                [NFTablesSetChange(set: "c", add: true, keys: [[5], [6]])],
            ])
        #expect(MasqueradeSync.transactions(changes) == [changes])
    }

    /// Each element's key as the kernel stores it: fields padded to four bytes, network byte order, the protocol one
    /// byte (the layout the lab's NFTablesSetClientLabTests writes and reads back).
    @Test func eachElementsKernelKeyIsTheKernelsLayout() throws {
        let v4 = IPAddress.v4(IPv4Address(10, 96, 0, 1))
        let v6 = try #require(IPAddress("fd00::1"))
        let a: [UInt8] = [10, 96, 0, 1]
        let b: [UInt8] = [0xfd, 0] + [UInt8](repeating: 0, count: 13) + [1]
        let udp443: [UInt8] = [17, 0, 0, 0, 1, 187, 0, 0]
        let cases: [(MasqueradeElement, [UInt8])] = [
            (.always(.udp, v4, port: 443), a + udp443),
            (.fromOutside(.udp, v6, port: 443), b + udp443),
            (.fromVirtualServerAddress(.udp, v4, port: 443), a + udp443),
            (.vipPort(.tcp, v4, port: 80), a + [6, 0, 0, 0, 0, 80, 0, 0]),
            (.sourceGuarded(.sctp, v6, port: 443), b + [132, 0, 0, 0, 1, 187, 0, 0]),
            (.nodeRefused(.udp, v4, port: 443), a + a + udp443),
            (.hairpin(v6), b + b),
            (.vip(v4), a),
            (.healthCheckPort(.ipv4, port: 30_001), [0x75, 0x31]),
        ]
        // One buffer for all, as a restart's check makes its keys: each replaces the last, whatever its length.
        var buffer: [UInt8] = [0xff, 0xff, 0xff]
        for (element, key) in cases {
            #expect(element.kernelKey == key, "\(element)")
            #expect(element.storedKey == key, "\(element)")
            element.storedKey(into: &buffer)
            #expect(buffer == key, "\(element), written over the key before it")
        }
    }

    @Test func anAdmittedRangeReadsBackAsTheKeysOfItsFirstAndLastAddresses() throws {
        let admitted = MasqueradeElement.sourceAdmitted(
            .tcp, .v4(IPv4Address(203, 0, 113, 5)), port: 443, AddressPrefix(IPv4Address(192, 0, 2, 0), length: 23))
        let head: [UInt8] = [203, 0, 113, 5, 6, 0, 0, 0, 1, 187, 0, 0]
        #expect(admitted.storedKey == head + [192, 0, 2, 0] + head + [192, 0, 3, 255])
        var buffer = [UInt8](repeating: 7, count: 90)
        admitted.storedKey(into: &buffer)
        #expect(buffer == admitted.storedKey)

        let network = try #require(IPAddress("fd00:1::"))
        let admittedV6 = MasqueradeElement.sourceAdmitted(
            .udp, try #require(IPAddress("fd00::5")), port: 53,
            try #require(AddressPrefix(address: network, length: 116)))
        let headV6: [UInt8] = [0xfd, 0] + [UInt8](repeating: 0, count: 13) + [5] + [17, 0, 0, 0, 0, 53, 0, 0]
        let first: [UInt8] = [0xfd, 0, 0, 1] + [UInt8](repeating: 0, count: 12)
        let last: [UInt8] = [0xfd, 0, 0, 1] + [UInt8](repeating: 0, count: 10) + [0x0f, 0xff]
        #expect(admittedV6.storedKey == headV6 + first + headV6 + last)
        admittedV6.storedKey(into: &buffer)
        #expect(buffer == headV6 + first + headV6 + last)

        let vip = MasqueradeElement.vip(.v4(IPv4Address(10, 96, 0, 1)))
        #expect(vip.storedKey == vip.kernelKey)
    }

    /// A resync's check (`checkTable`) asks whether the table is still there and recomputes only what its pass
    /// touched: a virtual server no pass named is not looked at, and a table gone is written whole again.
    @Test func aResyncsCheckLooksAtTheTableAndRecomputesOnlyWhatItsPassTouched() async {
        let nft = FakeNFTables()
        var sync = MasqueradeSync(configuration: configuration, nft: nft)
        #expect(await sync.sync(desired([(F.web, ["10.244.0.10"])]), touched: nil) == .replaced(elements: 3))
        let other = F.key(.tcp, "10.96.0.11", 80)
        let grown = desired([(F.web, ["10.244.0.10"]), (other, ["10.244.0.20"])])
        #expect(await sync.sync(grown, touched: [], checkTable: true) == .unchanged, "no whole recompute")
        #expect(nft.scripts.count == 1)
        let added = await sync.sync(grown, touched: [other], checkTable: true)
        #expect(added == .updated(added: 3, removed: 0), "\(added)")
        nft.dropTable()
        let replaced = await sync.sync(grown, touched: [], checkTable: true)
        #expect(replaced == .replaced(elements: 6), "\(replaced)")
        #expect(nft.scripts.count == 3)
        nft.dropTable()
        #expect(await sync.sync(grown, touched: []) == .unchanged, "without the check, the table is not asked for")
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
