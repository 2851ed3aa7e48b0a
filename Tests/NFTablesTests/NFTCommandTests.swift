import Foundation
import Testing

@testable import NFTables

@Suite struct NFTCommandListingTests {
    static let listing = """
        table inet filter {
        \tchain postrouting {
        \t\ttype filter hook postrouting priority filter; policy accept;
        \t}
        }
        table inet ipvs-proxy {
        \tchain postrouting {
        \t\ttype nat hook postrouting priority srcnat; policy accept;
        \t}
        }
        table inet other {
        \tchain input {
        \t}
        }
        """

    @Test(arguments: [
        (listing, "ipvs-proxy", true),
        (listing, "other", false),
        (listing, "missing", false),
        ("", "ipvs-proxy", false),
        ("table inet ipvs-proxy {\n}\ntable inet filter {\n\tchain postrouting {\n\t}\n}\n", "ipvs-proxy", false),
    ])
    func theTableCountsAsPresentOnlyWithItsChain(output: String, table: String, expected: Bool) {
        #expect(NFTCommand.listing(output, hasChain: "postrouting", inTable: table) == expected)
    }
}

/// The runner against stand-in `nft` binaries (shell scripts): what it writes, what it reads, and how a failing,
/// hanging or deaf `nft` comes back as an error.
@Suite struct NFTCommandTests {
    /// A stand-in nft: a shell script in a fresh directory.
    static func fake(_ body: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nft-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("nft").path
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test func theScriptGoesToStandardInputWithDashF() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nft-\(UUID().uuidString)")
        let copy = directory.path + ".out"
        let nft = NFTCommand(path: try Self.fake("echo \"$@\" > \(copy).args; cat > \(copy)"))
        let script = String(repeating: "add element inet ipvs-proxy hairpin-v4 { 10.0.0.1 . 10.0.0.1 }\n", count: 5000)
        try await nft.run(script)
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == script, "a script larger than a pipe's buffer")
        #expect(try String(contentsOfFile: copy + ".args", encoding: .utf8) == "-f -\n")
    }

    @Test func aRefusalCarriesWhatNftSaid() async throws {
        let nft = NFTCommand(
            path: try Self.fake("cat > /dev/null; echo 'Error: No such file or directory' >&2; exit 1"))
        let error = await #expect(throws: NFTablesError.self) { try await nft.run("delete table inet nosuch\n") }
        #expect(error?.code == .rejected)
        #expect((error?.cause as? NFTOutput)?.text == "Error: No such file or directory")
    }

    @Test func anNftThatStopsReadingGivesAnErrorNotASignal() async throws {
        BrokenPipe.ignore()
        #expect(BrokenPipe.isIgnored)
        let script = String(repeating: "x", count: 4 << 20)
        let refusing = NFTCommand(path: try Self.fake("exec 0<&-; echo 'gone' >&2; exit 1"))
        let refused = await #expect(throws: NFTablesError.self) { try await refusing.run(script) }
        #expect(refused?.code == .rejected)
        let deaf = NFTCommand(path: try Self.fake("exec 0<&-; exit 0"))
        let failed = await #expect(throws: NFTablesError.self) { try await deaf.run(script) }
        #expect(failed?.code == .exec, "\(String(describing: failed))")
    }

    @Test func anNftPastItsDeadlineIsKilled() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("nft-\(UUID().uuidString)").path
        let nft = NFTCommand(path: try Self.fake("echo $$ > \(marker); exec sleep 600"), deadline: .milliseconds(300))
        let error = await #expect(throws: NFTablesError.self) { try await nft.run("") }
        #expect(error?.code == .timeout)
        let written = try String(contentsOfFile: marker, encoding: .utf8)
        let pid = try #require(Int32(written.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) != 0, "the process is gone (killed and reaped)")
    }

    @Test func aMissingBinaryIsNamed() async throws {
        let nft = NFTCommand(path: "/nonexistent/nft")
        let error = await #expect(throws: NFTablesError.self) { _ = try await nft.hasTable("ipvs-proxy") }
        #expect(error?.code == .nftMissing)
        #expect(error?.message.contains("apt-get install nftables") == true)
    }

    @Test func hasTableReadsTheChainListing() async throws {
        let listing = Self.fakeListing(NFTCommandListingTests.listing)
        let nft = NFTCommand(path: try Self.fake(listing))
        #expect(try await nft.hasTable("ipvs-proxy"))
        #expect(try await !nft.hasTable("other"))
    }

    static func fakeListing(_ text: String) -> String {
        "[ \"$1 $2 $3\" = \"list chains inet\" ] || exit 2\ncat <<'EOF'\n\(text)\nEOF"
    }
}
