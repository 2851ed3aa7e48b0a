import Values

/// A Service that passed validation: every IP parsed, every port in range, every enum known.
@dynamicMemberLookup
public struct ValidatedService: BoxedFields {
    /// The fields of a validated Service, read and written through it (`service.key`): each one
    /// pointer to a shared box wherever it is kept.
    public struct Fields: Sendable, Hashable {
        /// `namespace/name`.
        public var key: ObjectKey
        /// The API server's resourceVersion (nil for manifests).
        public var resourceVersion: String?
        /// The Service type.
        public var type: ServiceType
        /// The cluster IPs (empty for headless, ExternalName, or a manifest that gives none).
        public var clusterIPs: [IPAddress]
        /// True when clusterIP is `None` or the `service.kubernetes.io/headless` label is set.
        public var isHeadless: Bool
        /// The ports, in spec order.
        public var ports: [Port]
        /// Session affinity.
        public var sessionAffinity: SessionAffinity
        /// spec.externalIPs.
        public var externalIPs: [IPAddress]
        /// status.loadBalancer.ingress[].ip of the VIP-style load balancers: ingress points that only have a host
        /// name, and those with `ipMode: Proxy` (the load balancer forwards to node ports itself, so the IP is not
        /// delivered to the node), are skipped, as kube-proxy skips them.
        public var loadBalancerIngressIPs: [IPAddress]
        /// Internal traffic policy (default Cluster).
        public var internalTrafficPolicy: TrafficPolicy
        /// External traffic policy (default Cluster).
        public var externalTrafficPolicy: TrafficPolicy
        /// The health-check node port, if any.
        public var healthCheckNodePort: UInt16?
        /// The external name of an ExternalName Service.
        public var externalName: String?
        /// The labels a service proxy reads (``Service/keptLabels``); the others are not kept.
        public var labels: [String: String]
        /// The annotations a service proxy reads (``Service/keptAnnotationPrefixes``); the others are not kept.
        public var annotations: [String: String]
        /// Set while the Service is being deleted.
        public var deletionTimestamp: String?
        /// When it was created (`metadata.creationTimestamp`, RFC 3339 text); of two Services wanting one virtual
        /// server, the older one's settings win.
        public var creationTimestamp: String? = nil
        /// `spec.loadBalancerSourceRanges` with surrounding white space trimmed (the API server lets it through, and
        /// kube-proxy trims it), in spec order, not yet parsed: a range that is not a CIDR is the proxy's to
        /// report (it harms only the Service's load-balancer IPs), not a reason to refuse the whole Service.
        public var loadBalancerSourceRanges: [String] = []
    }

    /// The fields' box (read and written through them).
    public var box: SharedBox<Fields>

    /// A validated Service.
    public init(
        key: ObjectKey,
        resourceVersion: String?,
        type: ServiceType,
        clusterIPs: [IPAddress],
        isHeadless: Bool,
        ports: [Port],
        sessionAffinity: SessionAffinity,
        externalIPs: [IPAddress],
        loadBalancerIngressIPs: [IPAddress],
        internalTrafficPolicy: TrafficPolicy,
        externalTrafficPolicy: TrafficPolicy,
        healthCheckNodePort: UInt16?,
        externalName: String?,
        labels: [String: String],
        annotations: [String: String],
        deletionTimestamp: String?,
        creationTimestamp: String? = nil,
        loadBalancerSourceRanges: [String] = []
    ) {
        box = SharedBox(
            Fields(
                key: key,
                resourceVersion: resourceVersion,
                type: type,
                clusterIPs: clusterIPs,
                isHeadless: isHeadless,
                ports: ports,
                sessionAffinity: sessionAffinity,
                externalIPs: externalIPs,
                loadBalancerIngressIPs: loadBalancerIngressIPs,
                internalTrafficPolicy: internalTrafficPolicy,
                externalTrafficPolicy: externalTrafficPolicy,
                healthCheckNodePort: healthCheckNodePort,
                externalName: externalName,
                labels: labels.filter { Service.keptLabels.contains($0.key) },
                annotations: annotations.filter { Service.keepsAnnotation($0.key) },
                deletionTimestamp: deletionTimestamp,
                creationTimestamp: creationTimestamp,
                loadBalancerSourceRanges: loadBalancerSourceRanges))
    }

    /// The value of `service.kubernetes.io/service-proxy-name`: a proxy handles only Services whose value
    /// matches its own name (nil for the default proxy).
    public var serviceProxyName: String? { box.value.labels[Service.serviceProxyNameLabel] }

    /// A validated Service port.
    public struct Port: Sendable, Hashable {
        /// The name ("" when unnamed); matches the EndpointSlice port name.
        public var name: String
        /// The protocol.
        public var `protocol`: TransportProtocol
        /// The Service port.
        public var port: UInt16
        /// The backend port.
        public var targetPort: TargetPort
        /// The node port, if allocated.
        public var nodePort: UInt16?

        /// Creates a port.
        public init(
            name: String, protocol: TransportProtocol, port: UInt16, targetPort: TargetPort, nodePort: UInt16?
        ) {
            self.name = name
            self.protocol = `protocol`
            self.port = port
            self.targetPort = targetPort
            self.nodePort = nodePort
        }
    }
}
