import CNetlink
import Foundation
import Values

/// Applies nftables input in process, through libnftables (the library the `nft` binary is made of): the script is
/// parsed and sent to the kernel as one transaction, exactly as `nft -f -` would, without starting a process.
///
/// Starting `nft` for every change cost more than the rest of the change together: in the emulated lab guest at
/// 10,000 Services, three quarters of the proxy's CPU per EndpointSlice change went to starting the binary (loading
/// it, relocating its libraries) for an `add element` of one line (docs/performance.md).
///
/// Each call gets a fresh library context, so nothing is cached between calls (what another program changed in
/// the meantime is seen, and no copy of the table's elements stays in memory), and runs on a thread of its own,
/// never on Swift's cooperative pool. The call waits at most `deadline`: then it throws `.timeout` and the thread is
/// left to finish on its own (the library cannot be interrupted; the kernel answers a transaction without waiting
/// on anything, so this is a guard, not an expected path).
public struct NFTablesLibrary: NFTablesRunner {
    /// How long one call may take before the caller gives up on it. A whole-table write of 44,000 elements took
    /// 0.7 s through the binary on a host and up to 13 s in the emulated lab guest.
    public let deadline: Duration

    /// A runner whose calls wait at most `deadline`.
    public init(deadline: Duration = .seconds(60)) {
        self.deadline = deadline
    }

    public func run(_ script: String) async throws(NFTablesError) {
        let result = try await execute(script)
        guard result.status == 0 else {
            throw NFTablesError(.rejected, "nftables refused the proxy's table", cause: NFTOutput(result.error))
        }
    }

    /// Reads `list chains inet`, which lists chains (with their comments) only: nft 1.0.6 reads every set element
    /// for `list tables` and `list table` alike (5 to 13 s for 44,000 elements in the emulated lab guest).
    public func mark(ofTable name: String) async throws(NFTablesError) -> String? {
        let result = try await execute("list chains inet")
        guard result.status == 0 else {
            throw NFTablesError(.rejected, "nftables could not list the inet chains", cause: NFTOutput(result.error))
        }
        return Self.comment(in: result.output, chain: "postrouting", table: name)
    }

    /// In a `list chains` listing, the comment of chain `chain` in table `inet <table>` (its first line, when it
    /// has one: empty otherwise); nil when the listing has no such chain.
    static func comment(in output: String, chain: String, table: String) -> String? {
        var inside = false
        var found = false
        for line in output.split(whereSeparator: \.isNewline) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if found { return NFTablesComment.text(ofLine: text) ?? "" }
            if !line.hasPrefix(" ") && !line.hasPrefix("\t") {
                inside = text == "table inet \(table) {"
            } else if inside && text == "chain \(chain) {" {
                found = true
            }
        }
        return found ? "" : nil
    }

    /// What one call returned and printed.
    struct Outcome: Sendable {
        /// The library's status: 0 when the whole input was applied.
        var status: Int32
        var output: String
        var error: String
    }

    /// Runs `commands` on a thread of its own, waiting at most `deadline`.
    func execute(_ commands: String) async throws(NFTablesError) -> Outcome {
        try await call({ Self.apply(commands) }).get()
    }

    /// `body`'s result, computed on a thread of its own; throws `.timeout` when `deadline` passes first.
    func call<T: Sendable>(_ body: @escaping @Sendable () -> T) async throws(NFTablesError) -> T {
        guard let result = await DedicatedThread.run(name: "nftables", within: deadline, body) else {
            throw NFTablesError(
                .timeout, "nftables did not answer within \(deadline); the call is left to finish on its own")
        }
        return result
    }

    /// Runs `commands` in a fresh context, capturing what the library prints. Blocks.
    ///
    /// libnftables 1.0.6 ends the process (exit status 3, "Unable to initialize Netlink socket") when it cannot
    /// open its netfilter netlink socket, as on a kernel without nf_tables: so a socket of that kind is opened and
    /// closed first, and when it cannot be, the call fails here instead of the library being entered.
    static func apply(_ commands: String) -> Result<Outcome, NFTablesError> {
        let probe = cnl_nfnetlink_available()
        guard probe == 0 else {
            return .failure(
                NFTablesError(
                    .exec, "nftables is unavailable: no netfilter netlink socket (a kernel without nf_tables?)",
                    cause: OSError.errno(-probe)))
        }
        guard let context = nft_ctx_new(0) else {
            return .failure(NFTablesError(.exec, "could not make a libnftables context (out of memory?)"))
        }
        defer { nft_ctx_free(context) }
        // Captured instead of printed on the proxy's own standard output and error.
        _ = nft_ctx_buffer_output(context)
        _ = nft_ctx_buffer_error(context)
        let status = nft_run_cmd_from_buffer(context, commands)
        return .success(
            Outcome(
                status: status,
                output: nft_ctx_get_output_buffer(context).map { String(cString: $0) } ?? "",
                error: nft_ctx_get_error_buffer(context).map { String(cString: $0) } ?? ""))
    }
}
