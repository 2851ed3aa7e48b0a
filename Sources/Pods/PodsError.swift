import Foundation
import Values

/// The kinds of failure of the pods fixture, its server or its probe.
public enum PodsErrorCode: String, ErrorCode {
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

/// An error of the pods fixture, in the project's one error shape: a code, a message naming the pod, file or link
/// concerned, and the cause (an `OSError`, a ``CommandFailure``, a file error).
public typealias PodsError = CodedError<PodsErrorCode>

/// A command that exited with a failure status: the cause of a ``PodsErrorCode/commandFailed`` error.
public struct CommandFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The command and its arguments.
    public var arguments: [String]
    /// Its exit status (128 + N when killed by signal N).
    public var status: Int32
    /// What it printed on standard error.
    public var stderr: String

    /// A failed command.
    public init(arguments: [String], status: Int32, stderr: String) {
        self.arguments = arguments
        self.status = status
        self.stderr = stderr
    }

    /// "`ip link add ...` exited with 2: RTNETLINK answers: File exists".
    public var description: String {
        let output = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return "`\(arguments.joined(separator: " "))` exited with \(status)" + (output.isEmpty ? "" : ": \(output)")
    }
}
