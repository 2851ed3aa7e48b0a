/// A Node that passed validation, reduced to what the proxy uses. Two versions that differ only in fields the proxy
/// does not read (status, heartbeats, other labels) are equal, so a watch does not deliver them as changes.
public struct ValidatedNode: Sendable, Hashable {
    /// The node's name.
    public var name: String
    /// Its `topology.kubernetes.io/zone` label; nil when absent or empty.
    public var zone: String?
    /// True once `metadata.deletionTimestamp` is set.
    public var beingDeleted: Bool
    /// The keys of its taints, sorted, without repeats.
    public var taintKeys: [String]

    /// Nodes are cluster-scoped: their key has an empty namespace.
    public var key: ObjectKey { ObjectKey(namespace: "", name: name) }

    /// Creates a node.
    public init(name: String, zone: String? = nil, beingDeleted: Bool = false, taintKeys: [String] = []) {
        self.name = name
        self.zone = zone
        self.beingDeleted = beingDeleted
        self.taintKeys = Array(Set(taintKeys)).sorted()
    }
}
