import Values

/// Why an object source cannot go on.
public enum SourceErrorCode: String, ErrorCode {
    /// The API server cannot be reached as configured (its TLS material or address is unusable).
    case connection
    /// The source's thread pool stopped under it.
    case threadPool
    /// The source returned while nothing asked it to stop.
    case ended
    /// The source could not read its input whole at start (a missing directory, a file that does not parse), and
    /// was told not to wait for it.
    case incomplete
}

/// An object source that cannot go on: ``ObjectSource/run(delivering:)`` throws it, ``SourceService`` passes it to
/// its `ServiceGroup`, which stops the proxy with it.
public typealias SourceError = CodedError<SourceErrorCode>
