import Foundation
import NFTables
import Testing

/// libnftables in process against the lab kernel: a script is applied as one transaction, a refused one changes
/// nothing and carries nftables' own message, and the table check sees the table only with its chain.
@Suite(.serialized, Lab.only) struct NFTablesLibraryLabTests {
    static let table = "lab-nftables-library"

    static func listTable() -> String {
        (try? LabShell.run("nft", ["list", "table", "inet", table]).stdout) ?? ""
    }

    @Test func appliesAScriptAndSeesItsTable() async throws {
        let nft = NFTablesLibrary()
        _ = try? LabShell.run("nft", ["delete", "table", "inet", Self.table])
        #expect(try await nft.mark(ofTable: Self.table) == nil)
        try await nft.run(
            """
            add table inet \(Self.table)
            add set inet \(Self.table) hairpin-v4 { type ipv4_addr; }
            add element inet \(Self.table) hairpin-v4 { 10.244.0.10, 10.244.0.11 }
            """)
        #expect(Self.listTable().contains("10.244.0.10, 10.244.0.11"), "\(Self.listTable())")
        #expect(try await nft.mark(ofTable: Self.table) == nil, "a table without its postrouting chain is not the proxy's")
        try await nft.run(
            """
            add chain inet \(Self.table) postrouting { type nat hook postrouting priority srcnat; policy accept; \
            comment "lab mark 1"; }
            delete element inet \(Self.table) hairpin-v4 { 10.244.0.10 }
            """)
        #expect(try await nft.mark(ofTable: Self.table) == "lab mark 1", "the chain's comment, read back")
        #expect(!Self.listTable().contains("10.244.0.10,"), "\(Self.listTable())")

        // One transaction: the deletion of an element that is not there refuses the whole script.
        let error = await #expect(throws: NFTablesError.self) {
            try await nft.run(
                """
                add element inet \(Self.table) hairpin-v4 { 10.244.0.12 }
                delete element inet \(Self.table) hairpin-v4 { 10.244.0.99 }
                """)
        }
        #expect(error?.code == .rejected)
        let message = (error?.cause as? NFTOutput)?.text ?? ""
        #expect(message.contains("Error"), "nftables' message: \(String(describing: error))")
        #expect(!Self.listTable().contains("10.244.0.12"), "nothing of a refused script is applied")
        try await nft.run("delete table inet \(Self.table)")
        #expect(try await nft.mark(ofTable: Self.table) == nil)
    }
}
