extension Service {
    /// core/v1 `ServiceSpec` (wire form).
    public struct Spec: Codable, Sendable, Hashable {
        /// `ClusterIP` (default), `NodePort`, `LoadBalancer` or `ExternalName`.
        public var type: String?
        /// The primary cluster IP, `None` for a headless Service, empty for ExternalName.
        public var clusterIP: String?
        /// All cluster IPs (dual stack); the first equals ``clusterIP``.
        public var clusterIPs: [String]?
        /// `IPv4` / `IPv6`, in the order of ``clusterIPs``.
        public var ipFamilies: [String]?
        /// `SingleStack`, `PreferDualStack` or `RequireDualStack`.
        public var ipFamilyPolicy: String?
        /// The ports.
        public var ports: [Port]?
        /// The pod selector (informational for a proxy).
        public var selector: [String: String]?
        /// `None` or `ClientIP`.
        public var sessionAffinity: String?
        /// The ClientIP affinity timeout.
        public var sessionAffinityConfig: SessionAffinityConfig?
        /// Extra IPs this node accepts traffic on for the Service.
        public var externalIPs: [String]?
        /// The DNS name of an ExternalName Service.
        public var externalName: String?
        /// `Cluster` or `Local`, for traffic from inside the cluster.
        public var internalTrafficPolicy: String?
        /// `Cluster` or `Local`, for traffic from outside (NodePort, LoadBalancer, externalIPs).
        public var externalTrafficPolicy: String?
        /// The node port serving health checks when externalTrafficPolicy is Local.
        public var healthCheckNodePort: Int?
        /// The requested load-balancer IP (deprecated field, still sent by some clusters).
        public var loadBalancerIP: String?
        /// The client CIDRs a load balancer admits (`spec.loadBalancerSourceRanges`); empty admits everyone.
        public var loadBalancerSourceRanges: [String]?

        /// Creates a spec.
        public init(
            type: String? = nil,
            clusterIP: String? = nil,
            clusterIPs: [String]? = nil,
            ipFamilies: [String]? = nil,
            ipFamilyPolicy: String? = nil,
            ports: [Port]? = nil,
            selector: [String: String]? = nil,
            sessionAffinity: String? = nil,
            sessionAffinityConfig: SessionAffinityConfig? = nil,
            externalIPs: [String]? = nil,
            externalName: String? = nil,
            internalTrafficPolicy: String? = nil,
            externalTrafficPolicy: String? = nil,
            healthCheckNodePort: Int? = nil,
            loadBalancerIP: String? = nil,
            loadBalancerSourceRanges: [String]? = nil
        ) {
            self.type = type
            self.clusterIP = clusterIP
            self.clusterIPs = clusterIPs
            self.ipFamilies = ipFamilies
            self.ipFamilyPolicy = ipFamilyPolicy
            self.ports = ports
            self.selector = selector
            self.sessionAffinity = sessionAffinity
            self.sessionAffinityConfig = sessionAffinityConfig
            self.externalIPs = externalIPs
            self.externalName = externalName
            self.internalTrafficPolicy = internalTrafficPolicy
            self.externalTrafficPolicy = externalTrafficPolicy
            self.healthCheckNodePort = healthCheckNodePort
            self.loadBalancerIP = loadBalancerIP
            self.loadBalancerSourceRanges = loadBalancerSourceRanges
        }
    }
}
