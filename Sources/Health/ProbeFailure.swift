/// Why one probe failed: a code, a message, and the underlying error when there was one.
public struct ProbeFailure: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// No answer within the probe's timeout.
        case timedOut
        /// The connection could not be made (refused, unreachable) or broke.
        case connection
        /// The HTTP status was outside the expected range, or the answer was not HTTP.
        case badResponse
        /// The UDP reply did not contain the expected bytes.
        case unexpectedReply
        /// The address could not be used.
        case badAddress
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, for logs.
    public var message: String
    /// The error underneath, when there was one.
    public var cause: (any Error)?

    /// A failure.
    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message + (cause.map { " (\($0))" } ?? "") }
}
