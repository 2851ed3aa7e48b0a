import Values

/// A Service that passed validation: every IP parsed, every port in range, every enum known.
public struct ValidatedService: Sendable, Hashable, CustomReflectable {
    /// The fields, in one shared box: a Service is one pointer wherever it is kept (192 bytes inline before, in
    /// every dictionary slot that held one).
    struct Fields: Sendable, Hashable {
        var key: ObjectKey
        var resourceVersion: String?
        var type: ServiceType
        var clusterIPs: [IPAddress]
        var isHeadless: Bool
        var ports: [Port]
        var sessionAffinity: SessionAffinity
        var externalIPs: [IPAddress]
        var loadBalancerIngressIPs: [IPAddress]
        var internalTrafficPolicy: TrafficPolicy
        var externalTrafficPolicy: TrafficPolicy
        var healthCheckNodePort: UInt16?
        var externalName: String?
        var labels: [String: String]
        var annotations: [String: String]
        var deletionTimestamp: String?
        var creationTimestamp: String? = nil
        var loadBalancerSourceRanges: [String] = []
    }

    private var box: SharedBox<Fields>

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
                labels: labels,
                annotations: annotations,
                deletionTimestamp: deletionTimestamp,
                creationTimestamp: creationTimestamp,
                loadBalancerSourceRanges: loadBalancerSourceRanges))
    }

    /// `namespace/name`.
    public var key: ObjectKey {
        get { box.value.key }
        set { box = box.with { $0.key = newValue } }
    }
    /// The API server's resourceVersion (nil for manifests).
    public var resourceVersion: String? {
        get { box.value.resourceVersion }
        set { box = box.with { $0.resourceVersion = newValue } }
    }
    /// The Service type.
    public var type: ServiceType {
        get { box.value.type }
        set { box = box.with { $0.type = newValue } }
    }
    /// The cluster IPs (empty for headless, ExternalName, or a manifest that gives none).
    public var clusterIPs: [IPAddress] {
        get { box.value.clusterIPs }
        set { box = box.with { $0.clusterIPs = newValue } }
    }
    /// True when clusterIP is `None` or the `service.kubernetes.io/headless` label is set.
    public var isHeadless: Bool {
        get { box.value.isHeadless }
        set { box = box.with { $0.isHeadless = newValue } }
    }
    /// The ports, in spec order.
    public var ports: [Port] {
        get { box.value.ports }
        set { box = box.with { $0.ports = newValue } }
    }
    /// Session affinity.
    public var sessionAffinity: SessionAffinity {
        get { box.value.sessionAffinity }
        set { box = box.with { $0.sessionAffinity = newValue } }
    }
    /// spec.externalIPs.
    public var externalIPs: [IPAddress] {
        get { box.value.externalIPs }
        set { box = box.with { $0.externalIPs = newValue } }
    }
    /// status.loadBalancer.ingress[].ip of the VIP-style load balancers: ingress points that only have a host
    /// name, and those with `ipMode: Proxy` (the load balancer forwards to node ports itself, so the IP is not
    /// delivered to the node), are skipped, as kube-proxy skips them.
    public var loadBalancerIngressIPs: [IPAddress] {
        get { box.value.loadBalancerIngressIPs }
        set { box = box.with { $0.loadBalancerIngressIPs = newValue } }
    }
    /// Internal traffic policy (default Cluster).
    public var internalTrafficPolicy: TrafficPolicy {
        get { box.value.internalTrafficPolicy }
        set { box = box.with { $0.internalTrafficPolicy = newValue } }
    }
    /// External traffic policy (default Cluster).
    public var externalTrafficPolicy: TrafficPolicy {
        get { box.value.externalTrafficPolicy }
        set { box = box.with { $0.externalTrafficPolicy = newValue } }
    }
    /// The health-check node port, if any.
    public var healthCheckNodePort: UInt16? {
        get { box.value.healthCheckNodePort }
        set { box = box.with { $0.healthCheckNodePort = newValue } }
    }
    /// The external name of an ExternalName Service.
    public var externalName: String? {
        get { box.value.externalName }
        set { box = box.with { $0.externalName = newValue } }
    }
    /// Labels.
    public var labels: [String: String] {
        get { box.value.labels }
        set { box = box.with { $0.labels = newValue } }
    }
    /// Annotations.
    public var annotations: [String: String] {
        get { box.value.annotations }
        set { box = box.with { $0.annotations = newValue } }
    }
    /// Set while the Service is being deleted.
    public var deletionTimestamp: String? {
        get { box.value.deletionTimestamp }
        set { box = box.with { $0.deletionTimestamp = newValue } }
    }
    /// When it was created (`metadata.creationTimestamp`, RFC 3339 text); of two Services wanting one virtual
    /// server, the older one's settings win.
    public var creationTimestamp: String? {
        get { box.value.creationTimestamp }
        set { box = box.with { $0.creationTimestamp = newValue } }
    }
    /// `spec.loadBalancerSourceRanges` with surrounding white space trimmed (the API server lets it through, and
    /// kube-proxy trims it), in spec order, not yet parsed: a range that is not a CIDR is the proxy's to
    /// report (it harms only the Service's load-balancer IPs), not a reason to refuse the whole Service.
    public var loadBalancerSourceRanges: [String] {
        get { box.value.loadBalancerSourceRanges }
        set { box = box.with { $0.loadBalancerSourceRanges = newValue } }
    }

    public var customMirror: Mirror { Mirror(reflecting: box.value) }

    /// The value of `service.kubernetes.io/service-proxy-name`: a proxy handles only Services whose value
    /// matches its own name (nil for the default proxy).
    public var serviceProxyName: String? { labels[Service.serviceProxyNameLabel] }

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
