import Values

/// A Node that passed validation, reduced to what the proxy uses. Two versions that differ only in fields the proxy
/// does not read (conditions, heartbeats, other labels) are equal, so a watch does not deliver them as changes.
public struct ValidatedNode: Sendable, Hashable {
    /// The node's name.
    public var name: String
    /// Its `topology.kubernetes.io/zone` label; nil when absent or empty.
    public var zone: String?
    /// True once `metadata.deletionTimestamp` is set.
    public var beingDeleted: Bool
    /// The keys of its taints, sorted, without repeats.
    public var taintKeys: [String]
    /// The node's IPs as kube-proxy's `GetNodeHostIPs` gives them (``hostIPs(internalIPs:externalIPs:)``): its
    /// first IP, then the first of the other family, if any; empty when `status.addresses` holds no IP.
    public var hostIPs: [IPAddress]

    /// Nodes are cluster-scoped: their key has an empty namespace.
    public var key: ObjectKey { ObjectKey(namespace: "", name: name) }

    /// Creates a node.
    public init(
        name: String, zone: String? = nil, beingDeleted: Bool = false, taintKeys: [String] = [],
        hostIPs: [IPAddress] = []
    ) {
        self.name = name
        self.zone = zone
        self.beingDeleted = beingDeleted
        self.taintKeys = Array(Set(taintKeys)).sorted()
        self.hostIPs = hostIPs
    }

    /// The node's IPs as kube-proxy's `GetNodeHostIPs` gives them from a Node's `status.addresses`: its first
    /// address (InternalIPs before ExternalIPs, each in the order given), then the first of the other family, if
    /// any. Pure.
    public static func hostIPs(internalIPs: [IPAddress], externalIPs: [IPAddress]) -> [IPAddress] {
        let all = internalIPs + externalIPs
        guard let first = all.first else { return [] }
        var result = [first]
        if let other = all.first(where: { $0.family != first.family }) { result.append(other) }
        return result
    }
}
