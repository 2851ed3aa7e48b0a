import Foundation

/// A fresh directory under the system temp directory, removed when released.
public final class TemporaryDirectory {
    /// Its path.
    public let path: String

    /// Creates the directory.
    public init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The path of `name` in it.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Writes in place (same inode when the file exists), as an editor saving in place would.
    public func write(_ name: String, _ text: String) throws {
        guard let handle = FileHandle(forWritingAtPath: file(name)) else {
            try Data(text.utf8).write(to: URL(fileURLWithPath: file(name)))
            return
        }
        defer { try? handle.close() }
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// Writes a hidden temporary file and renames it over `name` (replacing it), as editors and `kubectl`-like
    /// writers do.
    public func replace(_ name: String, _ text: String) throws {
        try write(".\(name).tmp", text)
        guard rename(file(".\(name).tmp"), file(name)) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file(name)])
        }
    }

    /// Deletes `name`.
    public func remove(_ name: String) throws { try FileManager.default.removeItem(atPath: file(name)) }

    /// Renames `from` to `to`.
    public func move(_ from: String, _ to: String) throws {
        try FileManager.default.moveItem(atPath: file(from), toPath: file(to))
    }
}
