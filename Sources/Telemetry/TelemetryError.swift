/// A failure of the endpoints server.
public struct TelemetryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The address could not be bound.
        case bind
    }

    /// What went wrong.
    public var code: Code
    /// One line saying what.
    public var message: String
    /// The underlying error.
    public var cause: String?

    /// An error.
    public init(code: Code, message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message + (cause.map { ": \($0)" } ?? "") }
}
