import Foundation

/// How the proxy's state files under /run (the health state file, the ownership record) are written: pretty,
/// sorted JSON, atomically (write then rename, so a crash never leaves half a file), creating the directory.
enum StateFileJSON {
    static func write(_ value: some Encodable, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try write(encoder.encode(value), to: path)
    }

    /// Writes `data`, already encoded, the same way.
    static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }
}
