extension Service {
    /// core/v1 `ServiceStatus` (wire form).
    public struct Status: Codable, Sendable, Hashable {
        /// The load balancer's state.
        public var loadBalancer: LoadBalancerStatus?
        /// Creates a status.
        public init(loadBalancer: LoadBalancerStatus? = nil) { self.loadBalancer = loadBalancer }
    }

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
