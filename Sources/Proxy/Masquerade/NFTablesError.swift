/// A failure applying nftables input: what kind, a message that says what to do, and the cause.
public struct NFTablesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Code: String, Sendable, Hashable {
        /// The `nft` binary is not installed (Debian: `apt-get install nftables`).
        case nftMissing
        /// `nft` ran and refused the input (its message is the cause).
        case rejected
        /// `nft` could not be started or talked to.
        case exec
    }

    /// The kind of failure.
    public var code: Code
    /// What happened and what to do about it.
    public var message: String
    /// What nft or the system said.
    public var cause: String?

    /// An error.
    public init(code: Code, message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause, !cause.isEmpty else { return message }
        return "\(message): \(cause)"
    }
}
