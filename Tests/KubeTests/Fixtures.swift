import Foundation

/// The recorded kube-apiserver 1.36 responses: `<repo>/../shared/fixtures/kube-apiserver-1.36/` (how CI
/// lays out the checkout), falling back to `/work/shared/...`.
enum Fixtures {
    static let directory: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            root.deletingLastPathComponent().appendingPathComponent("shared/fixtures/kube-apiserver-1.36").path,
            "/work/shared/fixtures/kube-apiserver-1.36",
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/README.md") } ?? candidates[1]
    }()

    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String { "fixture not found: \(path)" }
    }

    static func data(_ name: String) throws -> Data {
        let path = directory + "/" + name
        guard let data = FileManager.default.contents(atPath: path) else { throw Missing(path: path) }
        return data
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try data(name), as: UTF8.self)
    }

    /// The non-empty lines of a `.jsonl` watch body, each with its newline.
    static func lines(_ name: String) throws -> [String] {
        try text(name).split(separator: "\n").map { String($0) + "\n" }
    }
}
