import Values

/// Why no cluster connection could be resolved.
public enum KubeConfigErrorCode: String, ErrorCode {
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

/// Why no cluster connection could be resolved; the message names the file (`FILE: MESSAGE`) when there is one.
public typealias KubeConfigError = CodedError<KubeConfigErrorCode>

extension CodedError where Code == KubeConfigErrorCode {
    /// An error about `file` when given (`FILE: MESSAGE`), with the error underneath when there is one.
    public init(
        code: KubeConfigErrorCode, message: String, file: String? = nil, cause: (any Error & Sendable)? = nil
    ) {
        self.init(code, (file.map { "\($0): " } ?? "") + message, cause: cause)
    }
}
