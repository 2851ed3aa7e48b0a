/// A Service's session affinity, validated.
public enum SessionAffinity: Sendable, Hashable {
    /// No affinity.
    case none
    /// Clients stick to one endpoint for `timeoutSeconds` (1...86400, default 10800).
    case clientIP(timeoutSeconds: Int)

    /// The Kubernetes default ClientIP timeout (3 hours).
    public static let defaultTimeoutSeconds = 10800
}
