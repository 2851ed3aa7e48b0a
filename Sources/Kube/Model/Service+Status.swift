extension Service {
    /// core/v1 `ServiceStatus` (wire form).
    public struct Status: Codable, Sendable, Hashable {
        /// The load balancer's state.
        public var loadBalancer: LoadBalancerStatus?
        /// Creates a status.
        public init(loadBalancer: LoadBalancerStatus? = nil) { self.loadBalancer = loadBalancer }
    }
}
