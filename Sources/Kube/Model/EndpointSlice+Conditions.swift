extension EndpointSlice {
    /// discovery/v1 `EndpointConditions`. Absent `ready` means ready; absent `serving` follows `ready`.
    public struct Conditions: Codable, Sendable, Hashable {
        /// Ready to receive new connections.
        public var ready: Bool?
        /// Able to serve (may be terminating).
        public var serving: Bool?
        /// Being shut down.
        public var terminating: Bool?
        /// Creates conditions.
        public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
            self.ready = ready
            self.serving = serving
            self.terminating = terminating
        }
    }
}
