import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Applies nftables input by running the `nft` binary (as kube-proxy's nftables mode does): the script goes to
/// `nft -f -` on standard input, which applies it as one transaction.
///
/// `nft` runs through swift-subprocess, whose waits and pipe I/O sit off Swift's cooperative pool, and under a
/// deadline: when it passes, `nft` is killed and the call throws `.timeout`. An `nft` that exits without reading
/// all of its input gives an error, never a signal (the binary ignores SIGPIPE at start: `BrokenPipe.ignore()`).
public struct NFTCommand: NFTablesRunner {
    /// The nft binary.
    public let path: String
    /// How long one `nft` run may take before it is killed. A whole-table write of 44,000 elements takes 0.7 s
    /// on a host and up to 13 s in the emulated lab guest.
    public let deadline: Duration

    /// Finds `nft` in the usual places.
    public init(deadline: Duration = .seconds(60)) {
        let path =
            ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft", "/bin/nft"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            } ?? "/usr/sbin/nft"
        self.init(path: path, deadline: deadline)
    }

    /// Uses the nft binary at `path`.
    public init(path: String, deadline: Duration = .seconds(60)) {
        self.path = path
        self.deadline = deadline
    }

    public func run(_ script: String) async throws(NFTablesError) {
        let result = try await execute(["-f", "-"], input: script)
        guard result.status == .exited(0) else {
            throw NFTablesError(.rejected, "nft -f refused the proxy's table", cause: NFTOutput(result.stderr))
        }
        if let failure = result.writeFailure {
            throw NFTablesError(.exec, "\(path) did not read all of its input", cause: NFTOutput(failure))
        }
    }

    /// Reads `nft list chains inet`, which lists chains only. nft 1.0.6 reads every set element for `list tables`
    /// and `list table` alike (0.7 s for 44,000 elements on the host, 5 to 13 s in the emulated lab guest).
    public func hasTable(_ name: String) async throws(NFTablesError) -> Bool {
        let result = try await execute(["list", "chains", "inet"], input: "")
        guard result.status == .exited(0) else {
            throw NFTablesError(.rejected, "nft list chains inet failed", cause: NFTOutput(result.stderr))
        }
        return Self.listing(result.stdout, hasChain: "postrouting", inTable: name)
    }

    /// True when `nft list chains` output shows table `inet <table>` with chain `chain`.
    static func listing(_ output: String, hasChain chain: String, inTable table: String) -> Bool {
        var inside = false
        for line in output.split(whereSeparator: \.isNewline) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if !line.hasPrefix(" ") && !line.hasPrefix("\t") {
                inside = text == "table inet \(table) {"
            } else if inside && text == "chain \(chain) {" {
                return true
            }
        }
        return false
    }

    /// How one run ended.
    struct Outcome: Sendable {
        var status: TerminationStatus
        var stdout: String
        var stderr: String
        /// Set when `nft` stopped reading its input before it was all written.
        var writeFailure: String?
    }

    /// Runs nft with `arguments`, writing `input` to its standard input, and collects what it prints; kills it
    /// when `deadline` passes first.
    func execute(_ arguments: [String], input: String) async throws(NFTablesError) -> Outcome {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw NFTablesError(.nftMissing, "\(path) is missing: install nftables (apt-get install nftables)")
        }
        let path = self.path
        let bytes = Array(input.utf8)
        let outcome: Outcome?
        do {
            outcome = try await Self.within(deadline) {
                let result = try await Subprocess.run(
                    .path(FilePath(path)), arguments: Arguments(arguments), input: .inputWriter,
                    output: .string(limit: 16 << 20), error: .string(limit: 1 << 20)
                ) { execution -> String? in
                    // A write to an nft that has exited fails with EPIPE (SIGPIPE is ignored): kept, and reported
                    // unless nft's own status says more.
                    // One that exits first cuts the write short instead.
                    do {
                        let written = bytes.isEmpty ? 0 : try await execution.standardInputWriter.write(bytes)
                        try await execution.standardInputWriter.finish()
                        guard written < bytes.count else { return nil }
                        return "it exited after reading \(written) of \(bytes.count) bytes"
                    } catch {
                        return "\(error)"
                    }
                }
                return Outcome(
                    status: result.terminationStatus, stdout: result.standardOutput,
                    stderr: result.standardError, writeFailure: result.closureResult)
            }
        } catch {
            throw NFTablesError(.exec, "could not run \(path)", cause: error)
        }
        guard let outcome else {
            throw NFTablesError(.timeout, "\(path) did not finish within \(deadline); it was killed")
        }
        return outcome
    }

    /// The result of `body`, or nil when `deadline` passes first (`body` is then cancelled, which kills the
    /// subprocess it runs, and awaited).
    static func within<T: Sendable>(
        _ deadline: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: deadline)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { return nil }
            return first
        }
    }
}
