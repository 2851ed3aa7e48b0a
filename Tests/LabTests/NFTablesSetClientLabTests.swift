import Foundation
import IPVS
import Logging
import NFTables
import Proxy
import Testing
import Values

/// Set elements written straight over netfilter netlink (`NFTablesSetClient`) against the lab kernel, in the
/// proxy's own table as `NFTablesScript` defines it: every kind of element the direct path writes lands in its set
/// as nft lists it (the keys are laid out as the kernel stores them), deletions take them out again, a batch
/// the kernel refuses in part is applied not at all, and what nft wrote reads back as the elements' stored keys (the
/// admitted ranges as their two ends), so a restart compares the sets it finds with the ones it would write.
@Suite(.serialized, Lab.only) struct NFTablesSetClientLabTests {
    static let table = "lab-set-writer"

    static func listSet(_ name: String) -> String {
        (try? LabShell.run("nft", ["list", "set", "inet", table, name]).stdout) ?? ""
    }

    static func address(_ text: String) -> IPAddress {
        IPAddress(text) ?? .v4(IPv4Address(0))
    }

    /// One element of each set the direct path writes, in both families, and the text nft lists it as.
    static let elements: [(MasqueradeElement, String)] = [
        (.always(.tcp, address("10.96.0.10"), port: 80), "10.96.0.10 . tcp . 80"),
        (.fromOutside(.udp, address("10.96.0.11"), port: 53), "10.96.0.11 . udp . 53"),
        (.fromVirtualServerAddress(.sctp, address("10.96.0.12"), port: 9000), "10.96.0.12 . sctp . 9000"),
        (.hairpin(address("10.244.1.7")), "10.244.1.7 . 10.244.1.7"),
        (.vip(address("10.96.0.13")), "10.96.0.13"),
        (.vipPort(.tcp, address("10.96.0.13"), port: 443), "10.96.0.13 . tcp . 443"),
        (.healthCheckPort(.ipv4, port: 30_123), "30123"),
        (.sourceGuarded(.tcp, address("203.0.113.5"), port: 8443), "203.0.113.5 . tcp . 8443"),
        (.nodeRefused(.tcp, address("203.0.113.6"), port: 8080), "203.0.113.6 . 203.0.113.6 . tcp . 8080"),
        (.always(.tcp, address("fd00:96::a"), port: 80), "fd00:96::a . tcp . 80"),
        (.hairpin(address("fd00:244::7")), "fd00:244::7 . fd00:244::7"),
        (.vip(address("fd00:96::b")), "fd00:96::b"),
        (.healthCheckPort(.ipv6, port: 30_124), "30124"),
    ]

    /// The proxy's table, written afresh by nft with empty sets, and a writer.
    static func freshTable() async throws -> NFTablesSetClient {
        let client = try noTable()
        let configuration = MasqueradeConfiguration(clusterCIDRs: [], table: table)
        try await NFTablesLibrary().run(NFTablesScript.replace(configuration: configuration, elements: []))
        return client
    }

    /// No proxy table (the test's sync creates it), and a client.
    static func noTable() throws -> NFTablesSetClient {
        _ = try? LabShell.run("nft", ["delete", "table", "inet", table])
        return try NFTablesSetClient(logger: Logger(label: "lab"))
    }

    @Test func everyKindOfElementLandsInItsSetAndGoesAgain() async throws {
        let writer = try await Self.freshTable()
        defer { _ = try? LabShell.run("nft", ["delete", "table", "inet", Self.table]) }

        var delta = MasqueradeDelta()
        for (element, _) in Self.elements { delta.add(element) }
        let adds = try #require(delta.setChanges())
        try writer.apply(table: Self.table, adds)
        for (element, text) in Self.elements {
            #expect(Self.listSet(element.setName).contains(text), "\(element): \(Self.listSet(element.setName))")
        }
        // Adding what is there already is no error (as `add element`).
        try writer.apply(table: Self.table, adds)

        var removal = MasqueradeDelta()
        for (element, _) in Self.elements { removal.remove(element) }
        try writer.apply(table: Self.table, try #require(removal.setChanges()))
        for (element, text) in Self.elements {
            #expect(!Self.listSet(element.setName).contains(text), "\(element): \(Self.listSet(element.setName))")
        }
    }

    @Test func aBatchWithARefusedDeletionAppliesNothing() async throws {
        let writer = try await Self.freshTable()
        defer { _ = try? LabShell.run("nft", ["delete", "table", "inet", Self.table]) }
        let missing = MasqueradeElement.hairpin(Self.address("10.244.9.9"))
        let added = MasqueradeElement.hairpin(Self.address("10.244.9.10"))
        let changes = [
            NFTablesSetChange(set: added.setName, add: true, keys: [try #require(added.kernelKey)]),
            NFTablesSetChange(set: missing.setName, add: false, keys: [try #require(missing.kernelKey)]),
        ]
        let error = #expect(throws: IPVSError.self) { try writer.apply(table: Self.table, changes) }
        #expect(error?.code == .notFound, "\(String(describing: error))")
        #expect(error?.errno == ENOENT)
        #expect(!Self.listSet(added.setName).contains("10.244.9.10"), "the add in the same batch was undone")
        // A missing table is refused as a whole too.
        #expect(throws: IPVSError.self) { try writer.apply(table: "lab-no-such-table", [changes[0]]) }
    }

    @Test func whatNftWritesReadsBackAsTheElementsStoredKeys() async throws {
        let client = try await Self.freshTable()
        defer { _ = try? LabShell.run("nft", ["delete", "table", "inet", Self.table]) }
        let ranges = [
            (Self.address("203.0.113.5"), IPVSProtocol.tcp, UInt16(8443), "192.0.2.0/24"),
            (Self.address("203.0.113.5"), .tcp, 8443, "198.51.100.7/32"),
            (Self.address("fd00:96::c"), .udp, 53, "2001:db8::/46"),
        ].compactMap { address, proto, port, text in
            AddressPrefix(text).map { MasqueradeElement.sourceAdmitted(proto, address, port: port, $0) }
        }
        #expect(ranges.count == 3)
        // Enough hairpin elements that their set's dump takes several messages.
        let many = (0..<3000).map { MasqueradeElement.hairpin(.v4(IPv4Address(0x0af5_0000 + UInt32($0)))) }
        let elements = Self.elements.map(\.0) + ranges + many
        let configuration = MasqueradeConfiguration(clusterCIDRs: [], table: Self.table)
        try await NFTablesLibrary().run(NFTablesScript.replace(configuration: configuration, elements: elements))
        let names = MasqueradeElement.allSetNames
        let found = try client.keys(table: Self.table, sets: names)
        #expect(found.count == names.count)
        for name in names {
            let expected = Set(elements.filter { $0.setName == name }.map(\.storedKey))
            let keys = found[name] ?? []
            #expect(keys.count == expected.count, "\(name): one key per element")
            #expect(Set(keys) == expected, "\(name): \(keys) against \(expected)")
        }
        #expect(found["hairpin-v4"]?.count == 3001)
        let error = #expect(throws: IPVSError.self) { try client.keys(table: Self.table, sets: ["no-such-set"]) }
        #expect(error?.errno == ENOENT)
    }

    @Test func aRestartAfterChangesWritesNothingAndARestartWithOtherObjectsOnlyTheirElements() async throws {
        let client = try Self.noTable()
        defer { _ = try? LabShell.run("nft", ["delete", "table", "inet", Self.table]) }
        let configuration = MasqueradeConfiguration(
            clusterCIDRs: [AddressPrefix("10.244.0.0/16")].compactMap { $0 }, table: Self.table)
        func state(_ reals: [String]) -> DesiredState {
            var server = DesiredVirtualServer(
                server: VirtualServer(key: .service(.tcp, Self.address("203.0.113.9"), port: 443)),
                realServers: reals.map { RealServer(address: Self.address($0), port: 8443) },
                role: .external(.cluster))
            server.sourceRanges = SourceRanges([AddressPrefix("192.0.2.0/24")].compactMap { $0 }, admitsNode: false)
            return DesiredState(virtualServers: [server])
        }
        let (before, after) = (state(["10.244.1.1", "10.244.1.2"]), state(["10.244.1.1", "10.244.1.3"]))
        let key = VirtualServerKey.service(.tcp, Self.address("203.0.113.9"), port: 443)

        // A run: the table created empty before its first pass, filled by it, then one endpoint changed.
        var run = MasqueradeSync(configuration: configuration, nft: NFTablesLibrary(), sets: client)
        #expect(await run.prepare() == .replaced(elements: 0))
        let first = await run.sync(before, touched: nil)
        #expect(first == .replaced(elements: 7), "the admitted range goes through nft: \(first)")
        #expect(await run.sync(after, touched: [key]) == .updated(added: 1, removed: 1))

        // The next run, with the objects as the last one left them: nothing is written.
        var restarted = MasqueradeSync(configuration: configuration, nft: NFTablesLibrary(), sets: client)
        #expect(await restarted.prepare() == .unchanged)
        #expect(await restarted.sync(after, touched: nil) == .kept(elements: 7))

        // A run with an endpoint changed meanwhile: only its elements are written.
        var other = MasqueradeSync(configuration: configuration, nft: NFTablesLibrary(), sets: client)
        #expect(await other.prepare() == .unchanged)
        #expect(await other.sync(before, touched: nil) == .mended(elements: 7, added: 1, removed: 1))
        let hairpins = Self.listSet("hairpin-v4")
        #expect(hairpins.contains("10.244.1.2 . 10.244.1.2") && !hairpins.contains("10.244.1.3"), "\(hairpins)")
        var again = MasqueradeSync(configuration: configuration, nft: NFTablesLibrary(), sets: client)
        _ = await again.prepare()
        #expect(await again.sync(before, touched: nil) == .kept(elements: 7))
    }

    @Test func emptySetsAreFilledInTransactionsAndReadBackWhole() async throws {
        let client = try Self.noTable()
        defer { _ = try? LabShell.run("nft", ["delete", "table", "inet", Self.table]) }
        let configuration = MasqueradeConfiguration(
            clusterCIDRs: [AddressPrefix("10.0.0.0/8")].compactMap { $0 }, table: Self.table)
        // 2,000 virtual servers of 10 endpoints: 24,000 elements, three transactions.
        let state = DesiredState(
            virtualServers: (0..<2000).map { index in
                DesiredVirtualServer(
                    server: VirtualServer(key: .service(.tcp, .v4(IPv4Address(0x0a60_0000 + UInt32(index))), port: 80)),
                    realServers: (0..<10).map {
                        RealServer(address: .v4(IPv4Address(0x0af4_0000 + UInt32(index * 10 + $0))), port: 8080)
                    })
            })
        var sync = MasqueradeSync(configuration: configuration, nft: NFTablesLibrary(), sets: client)
        #expect(await sync.prepare() == .replaced(elements: 0))
        let filled = await sync.sync(state, touched: nil)
        #expect(filled == .mended(elements: 24_000, added: 24_000, removed: 0), "\(filled)")
        let found = try client.keys(table: Self.table, sets: MasqueradeElement.allSetNames)
        #expect(found.values.reduce(0) { $0 + $1.count } == 24_000)
        #expect(Set(found["hairpin-v4"] ?? []).count == 20_000)
        #expect(Self.listSet("vip-ports-v4").contains("10.96.7.207 . tcp . 80"), "the 2,000th cluster IP")

        var restarted = MasqueradeSync(configuration: configuration, nft: NFTablesLibrary(), sets: client)
        #expect(await restarted.prepare() == .unchanged)
        #expect(await restarted.sync(state, touched: nil) == .kept(elements: 24_000))
    }
}
