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
        let result = try execute(["-f", "-"], input: script, captureOutput: false)
        guard result.status == 0 else {
            throw NFTablesError(code: .rejected, message: "nft -f refused the proxy's table", cause: result.stderr)
        }
    }

    /// Reads `nft list tables`, which lists names only: listing the table itself would read every set element
    /// (13 s for 44,000 elements in the emulated lab guest).
    public func hasTable(_ name: String) throws(NFTablesError) -> Bool {
        let result = try execute(["list", "tables"], input: nil, captureOutput: true)
        guard result.status == 0 else {
            throw NFTablesError(code: .rejected, message: "nft list tables failed", cause: result.stderr)
        }
        return result.stdout.split(whereSeparator: \.isNewline).contains { $0 == "table inet \(name)" }
    }

    private func execute(
        _ arguments: [String], input: String?, captureOutput: Bool
    ) throws(NFTablesError) -> (status: Int32, stdout: String, stderr: String) {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw NFTablesError(
                code: .nftMissing, message: "\(path) is missing: install nftables (apt-get install nftables)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe()
        let stderr = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardError = stderr
        process.standardOutput = captureOutput ? stdout : FileHandle.nullDevice
        do {
            try process.run()
            // Large inputs exceed the pipe's buffer: write while nft reads, and read its errors afterwards
            // (nft reads all of its input before it reports).
            try stdin.fileHandleForWriting.write(contentsOf: Data((input ?? "").utf8))
            try stdin.fileHandleForWriting.close()
            // `list tables` prints a line per table, well within a pipe's buffer, so stdout is read first.
            let output = captureOutput ? try stdout.fileHandleForReading.readToEnd() ?? Data() : Data()
            let errors = try stderr.fileHandleForReading.readToEnd() ?? Data()
            process.waitUntilExit()
            return (
                process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self)
            )
        } catch {
            if process.isRunning { process.terminate() }
            throw NFTablesError(code: .exec, message: "could not run \(path)", cause: "\(error)")
        }
    }
}
