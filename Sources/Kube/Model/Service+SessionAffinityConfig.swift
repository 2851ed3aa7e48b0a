extension Service {
    /// core/v1 `SessionAffinityConfig`.
    public struct SessionAffinityConfig: Codable, Sendable, Hashable {
        /// The ClientIP settings.
        public var clientIP: ClientIPConfig?
        /// Creates a config.
        public init(clientIP: ClientIPConfig? = nil) { self.clientIP = clientIP }
    }

    /// core/v1 `ClientIPConfig`.
    public struct ClientIPConfig: Codable, Sendable, Hashable {
        /// Affinity timeout in seconds (Kubernetes default 10800).
        public var timeoutSeconds: Int?
        /// Creates a config.
        public init(timeoutSeconds: Int? = nil) { self.timeoutSeconds = timeoutSeconds }
    }
}
