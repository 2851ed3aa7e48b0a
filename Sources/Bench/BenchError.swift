/// An error of the scheduler benchmark: what went wrong, in words, and why.
public struct BenchError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure, stable enough to match on.
    public enum Code: String, Sendable, Equatable {
        /// A scenario file could not be read, parsed, or holds a value out of range.
        case scenario
        /// The kernel has no IPVS (or it cannot be used): run in the kernel lab.
        case noIPVS
        /// Setting up the pods, the link or the virtual server failed.
        case setup
        /// The run was interrupted (SIGINT or SIGTERM).
        case interrupted
        /// Writing a result file failed.
        case output
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong, for a person.
    public var message: String
    /// Why, when known (an underlying error, described).
    public var cause: String?

    /// Makes an error.
    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { cause.map { "\(message): \($0)" } ?? message }
}
