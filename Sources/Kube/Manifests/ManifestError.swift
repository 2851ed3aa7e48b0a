/// A manifest file that could not be read or parsed as a whole (YAML/JSON syntax error, unreadable file).
public struct ManifestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The file could not be read.
        case unreadable
        /// The file is not valid YAML or JSON.
        case syntax
        /// The directory could not be listed.
        case directory
    }

    /// What went wrong.
    public var code: Code
    /// The parser's or the system's explanation.
    public var message: String
    /// The file (or directory) at fault.
    public var file: String
    /// The errno, when a system call failed.
    public var errno: Int32?

    /// Creates an error.
    public init(code: Code, message: String, file: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.errno = errno
    }

    /// `FILE: MESSAGE`.
    public var description: String { "\(file): \(message)" }
}
