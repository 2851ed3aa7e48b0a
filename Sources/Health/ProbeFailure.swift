import Values

/// The kinds of probe failure.
public enum ProbeFailureCode: String, ErrorCode {
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

/// Why one probe failed: a code, a message, and the underlying error when there was one.
public typealias ProbeFailure = CodedError<ProbeFailureCode>
