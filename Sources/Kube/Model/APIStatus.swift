/// `metav1.Status`: what the API server returns on failure (HTTP error bodies, watch ERROR events).
public struct APIStatus: Codable, Sendable, Hashable, CustomStringConvertible {
    /// `Status`.
    public var kind: String?
    /// `Failure` or `Success`.
    public var status: String?
    /// A human-readable description.
    public var message: String?
    /// A machine-readable reason (`Expired`, `Gone`, `BadRequest`, ...).
    public var reason: String?
    /// The HTTP status code it stands for (410 for an expired resourceVersion).
    public var code: Int?
    /// Extra detail: the causes.
    public var details: Details?

    /// `metav1.StatusDetails`, the part read here.
    public struct Details: Codable, Sendable, Hashable {
        /// The causes (`ResourceVersionTooLarge`, field errors, ...).
        public var causes: [Cause]?
    }

    /// `metav1.StatusCause`.
    public struct Cause: Codable, Sendable, Hashable {
        /// A machine-readable reason.
        public var reason: String?
        /// A human-readable description.
        public var message: String?
    }

    /// Creates a status.
    public init(status: String? = "Failure", message: String? = nil, reason: String? = nil, code: Int? = nil) {
        self.kind = "Status"
        self.status = status
        self.message = message
        self.reason = reason
        self.code = code
    }

    /// True when the resourceVersion asked for is too old (HTTP 410 Gone / reason Expired or Gone).
    public var isExpired: Bool { code == 410 || reason == "Expired" || reason == "Gone" }

    /// True when the resourceVersion asked for is newer than the server has (client-go's
    /// `isTooLargeResourceVersionError`: the cause `ResourceVersionTooLarge`, or the message of older servers).
    public var isResourceVersionTooLarge: Bool {
        details?.causes?.contains { $0.reason == "ResourceVersionTooLarge" } == true
            || message?.contains("Too large resource version") == true
    }

    /// `code reason: message`.
    public var description: String {
        "\(code.map(String.init) ?? "?") \(reason ?? "?"): \(message ?? "")"
    }
}
