extension Service {
    /// core/v1 `LoadBalancerStatus`.
    public struct LoadBalancerStatus: Codable, Sendable, Hashable {
        /// The ingress points.
        public var ingress: [LoadBalancerIngress]?
        /// Creates a status.
        public init(ingress: [LoadBalancerIngress]? = nil) { self.ingress = ingress }
    }

    /// core/v1 `LoadBalancerIngress`.
    public struct LoadBalancerIngress: Codable, Sendable, Hashable {
        /// The ingress IP, if the load balancer has one.
        public var ip: String?
        /// The ingress host name, if the load balancer has one.
        public var hostname: String?
        /// `VIP` (default) or `Proxy`.
        public var ipMode: String?
        /// Creates an ingress point.
        public init(ip: String? = nil, hostname: String? = nil, ipMode: String? = nil) {
            self.ip = ip
            self.hostname = hostname
            self.ipMode = ipMode
        }
    }
}
