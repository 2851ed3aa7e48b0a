extension EndpointSlice {
    /// discovery/v1 `EndpointConditions`. Absent `ready` or `serving` means true, absent
    /// `terminating` false (as kube-proxy reads them).
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
