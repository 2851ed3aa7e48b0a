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
    /// This node could not make the probe (out of descriptors, memory or local ports): nothing is known of the
    /// endpoint, and the probe counts neither for nor against it.
    case notProbed
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension ProbeFailure {
    /// The errnos that describe this node, not the endpoint: no descriptor (per process or system-wide), no
    /// buffer or memory, no local port left for the connection.
    static let localErrnos: Set<Int32> = [EMFILE, ENFILE, ENOBUFS, ENOMEM, EADDRNOTAVAIL]

    /// A connection failure with errno `code`: `.notProbed` when the node is to blame, `.connection` otherwise.
    static func connect(errno code: Int32, cause: any Error & Sendable) -> ProbeFailure {
        guard localErrnos.contains(code) else { return ProbeFailure(.connection, "connect failed", cause: cause) }
        return ProbeFailure(.notProbed, "not probed: this node is out of descriptors, memory or ports", cause: cause)
    }
}

/// Why one probe failed: a code, a message, and the underlying error when there was one.
public typealias ProbeFailure = CodedError<ProbeFailureCode>
