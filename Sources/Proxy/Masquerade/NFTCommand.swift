import Foundation

/// Applies nftables input by running the `nft` binary (as kube-proxy's nftables mode does): the script goes to
/// `nft -f -` on standard input, which applies it as one transaction.
public struct NFTCommand: NFTables {
    /// The nft binary.
    public let path: String

    /// Finds `nft` in the usual places.
    public init() {
        path =
            ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft", "/bin/nft"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            } ?? "/usr/sbin/nft"
    }

    /// Uses the nft binary at `path`.
    public init(path: String) {
        self.path = path
    }

    public func run(_ script: String) throws(NFTablesError) {
        let result = try execute(["-f", "-"], input: script)
        guard result.status == 0 else {
            throw NFTablesError(code: .rejected, message: "nft -f refused the proxy's table", cause: result.stderr)
        }
    }

    public func hasTable(_ name: String) throws(NFTablesError) -> Bool {
        let result = try execute(["-t", "list", "table", "inet", name], input: nil)
        if result.status == 0 { return true }
        if result.stderr.contains("No such file or directory") { return false }
        throw NFTablesError(code: .rejected, message: "nft list table inet \(name) failed", cause: result.stderr)
    }

    private func execute(_ arguments: [String], input: String?) throws(NFTablesError) -> (status: Int32, stderr: String) {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw NFTablesError(
                code: .nftMissing, message: "\(path) is missing: install nftables (apt-get install nftables)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
            // Large inputs exceed the pipe's buffer: write while nft reads, and read its errors afterwards
            // (nft reads all of its input before it reports).
            try stdin.fileHandleForWriting.write(contentsOf: Data((input ?? "").utf8))
            try stdin.fileHandleForWriting.close()
            let errors = try stderr.fileHandleForReading.readToEnd() ?? Data()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: errors, as: UTF8.self))
        } catch {
            if process.isRunning { process.terminate() }
            throw NFTablesError(code: .exec, message: "could not run \(path)", cause: "\(error)")
        }
    }
}
