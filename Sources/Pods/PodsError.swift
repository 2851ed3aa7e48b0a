/// An error from the pods fixture, its server or its probe: what went wrong, in words, and why.
public struct PodsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure, stable enough to match on.
    public enum Code: String, Sendable, Equatable {
        /// An option, a name, an address or a duration did not parse or is out of range.
        case invalidArgument
        /// An external command (`ip`, ...) exited with a failure status.
        case commandFailed
        /// `up` found the fixture already up (a state file exists).
        case alreadyUp
        /// An operation needs the fixture up, and no state file exists.
        case notUp
        /// No pod of that name in the fixture.
        case unknownPod
        /// A pod's server did not answer in time, or exited while starting.
        case serverNotReady
        /// A system call failed.
        case systemCall
        /// Reading or writing a state, pid or log file failed.
        case file
    }

    /// Why it happened, when something more precise than the message is known.
    public enum Cause: Sendable, Equatable, CustomStringConvertible {
        /// A failed system call's errno.
        case errno(Int32)
        /// A command that failed: its arguments, its exit status and what it printed on stderr.
        case command(arguments: [String], status: Int32, stderr: String)
        /// The object concerned: a pod, a file, a link.
        case object(String)
        /// An underlying error, described.
        case underlying(String)

        public var description: String {
            switch self {
            case .errno(let code): return "errno \(code)"
            case .command(let arguments, let status, let stderr):
                let output = stderr.trimmingWhitespace()
                return "`\(arguments.joined(separator: " "))` exited with \(status)"
                    + (output.isEmpty ? "" : ": \(output)")
            case .object(let name): return name
            case .underlying(let text): return text
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong, for a person.
    public var message: String
    /// Why, when known.
    public var cause: Cause?

    /// Makes an error.
    public init(_ code: Code, _ message: String, cause: Cause? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return "\(code.rawValue): \(message)" }
        return "\(code.rawValue): \(message) (\(cause))"
    }
}
