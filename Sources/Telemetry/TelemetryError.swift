import Values

/// The kinds of failure of the endpoints server.
public enum TelemetryErrorCode: String, ErrorCode {
    /// The address could not be bound.
    case bind
}

/// A failure of the endpoints server.
public typealias TelemetryError = CodedError<TelemetryErrorCode>
