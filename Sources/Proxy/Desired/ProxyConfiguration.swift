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
    /// With ``primaryNodePorts``, the tracker derives it from that (``PrimaryNodePorts/selected``).
    public var nodePortAddresses: [IPAddress]
    /// `--nodeport-addresses primary`: NodePorts follow the node's primary IPs, which the Node's
    /// `status.addresses` give (and `--bind-address` for its family); nil for CIDRs or every address.
    public var primaryNodePorts: PrimaryNodePorts?
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
        primaryNodePorts: PrimaryNodePorts? = nil,
        otherInterfaceAddresses: Set<IPAddress> = [],
        proxyName: String? = nil,
        health: HealthCheckConfiguration = HealthCheckConfiguration()
    ) {
        self.defaultScheduler = defaultScheduler
        self.supportedSchedulers = supportedSchedulers
        self.nodeName = nodeName
        self.nodeZone = nodeZone
        self.nodePortAddresses = primaryNodePorts?.selected ?? nodePortAddresses
        self.primaryNodePorts = primaryNodePorts
        self.otherInterfaceAddresses = otherInterfaceAddresses
        self.proxyName = proxyName
        self.health = health
    }
}

/// `--nodeport-addresses primary`, as kube-proxy has it: NodePorts on the node's primary IP of each family (the
/// Node's `status.addresses`, with `--bind-address` for its family), and on every address of a family without one.
/// Unlike kube-proxy, which reads the Node's IPs once and exits when they change, the IPs are followed: a change of
/// the Node's addresses, or of the addresses on the node's interfaces, moves the NodePorts at once.
public struct PrimaryNodePorts: Sendable, Hashable {
    /// kube-proxy's `--bind-address`; it names the primary IP of its family.
    public var bindAddress: IPAddress?
    /// The Node's IPs (`ValidatedNode.hostIPs`); empty until the Node is read.
    public var nodeIPs: [IPAddress]
    /// Every node address a NodePort may be served on (no prefix applied; loopback and the VIP link left out).
    public var candidates: [IPAddress]

    /// The setting.
    public init(bindAddress: IPAddress?, nodeIPs: [IPAddress] = [], candidates: [IPAddress] = []) {
        self.bindAddress = bindAddress
        self.nodeIPs = nodeIPs
        self.candidates = candidates
    }

    /// The prefixes the primary IPs stand for (``NodeAddresses/primaryPrefixes(nodeIPs:bindAddress:)``).
    public var prefixes: [AddressPrefix] { NodeAddresses.primaryPrefixes(nodeIPs: nodeIPs, bindAddress: bindAddress) }

    /// The candidates within ``prefixes``: the addresses NodePorts are served on.
    public var selected: [IPAddress] {
        let prefixes = self.prefixes
        return candidates.filter { address in prefixes.contains { $0.contains(address) } }
    }
}
