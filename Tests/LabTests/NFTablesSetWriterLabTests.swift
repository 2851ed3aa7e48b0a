import Foundation
import IPVS
import Logging
import NFTables
import Proxy
import Testing
import Values

/// Set elements written straight over netfilter netlink (`NFTablesSetWriter`) against the lab kernel, in the
/// proxy's own table as `NFTablesScript` defines it: every kind of element the direct path writes lands in its set
/// as nft lists it (the keys are laid out as the kernel stores them), deletions take them out again, and a batch
/// the kernel refuses in part is applied not at all.
@Suite(.serialized, Lab.only) struct NFTablesSetWriterLabTests {
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
    static func freshTable() async throws -> NFTablesSetWriter {
        _ = try? LabShell.run("nft", ["delete", "table", "inet", table])
        let configuration = MasqueradeConfiguration(clusterCIDRs: [], table: table)
        try await NFTablesLibrary().run(NFTablesScript.replace(configuration: configuration, elements: []))
        return try NFTablesSetWriter(logger: Logger(label: "lab"))
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
}
