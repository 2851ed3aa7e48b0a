/// Why no cluster connection could be resolved.
public struct KubeConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// No kubeconfig found and not running in a cluster.
        case notFound
        /// A file could not be read.
        case unreadable
        /// A file is not a valid kubeconfig.
        case malformed
        /// The current context, its cluster or its user is missing.
        case missingEntry
        /// The configuration asks for something this client does not do (exec plugins, basic auth).
        case unsupported
        /// Certificate or key material is invalid.
        case invalidCredentials
    }

    /// What went wrong.
    public var code: Code
    /// An explanation naming the entry or field.
    public var message: String
    /// The file concerned, if any.
    public var file: String?
    /// The errno of a failed read, if any.
    public var errno: Int32?

    /// Creates an error.
    public init(code: Code, message: String, file: String? = nil, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.errno = errno
    }

    /// `FILE: MESSAGE`.
    public var description: String { (file.map { "\($0): " } ?? "") + message }
}
