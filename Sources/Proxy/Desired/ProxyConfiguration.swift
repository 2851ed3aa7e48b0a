import Values
import Health
import IPVS

/// What the desired state depends on besides the cluster's objects: the node and the operator's choices.
public struct ProxyConfiguration: Sendable, Hashable {
    /// The scheduler a Service gets unless it asks for another (`--ipvs-scheduler`, rr by default).
    public var defaultScheduler: Scheduler
    /// The schedulers this kernel offers; a Service asking for another falls back to the default, and says so.
    public var supportedSchedulers: Set<Scheduler>
    /// This node's name, for `internalTrafficPolicy`/`externalTrafficPolicy: Local`.
    public var nodeName: String
    /// This node's zone (its Node's `topology.kubernetes.io/zone` label), for topology hints; nil while the Node is
    /// not read or has no zone.
    public var nodeZone: String?
    /// The node addresses NodePorts are served on (already filtered by `--nodeport-addresses`, loopback skipped).
    public var nodePortAddresses: [IPAddress]
    /// Addresses held by the node's other interfaces: an external or load-balancer IP found there is not bound
    /// again on the dummy link.
    public var otherInterfaceAddresses: Set<IPAddress>
    /// The `service.kubernetes.io/service-proxy-name` this proxy answers to; nil for the default proxy, which
    /// handles only Services without that label.
    public var proxyName: String?
    /// Health-check defaults; Services override them with annotations.
    public var health: HealthCheckConfiguration

    /// A configuration.
    public init(
        defaultScheduler: Scheduler = .roundRobin,
        supportedSchedulers: Set<Scheduler> = Set(Scheduler.known),
        nodeName: String = "",
        nodeZone: String? = nil,
        nodePortAddresses: [IPAddress] = [],
        otherInterfaceAddresses: Set<IPAddress> = [],
        proxyName: String? = nil,
        health: HealthCheckConfiguration = HealthCheckConfiguration()
    ) {
        self.defaultScheduler = defaultScheduler
        self.supportedSchedulers = supportedSchedulers
        self.nodeName = nodeName
        self.nodeZone = nodeZone
        self.nodePortAddresses = nodePortAddresses
        self.otherInterfaceAddresses = otherInterfaceAddresses
        self.proxyName = proxyName
        self.health = health
    }
}
