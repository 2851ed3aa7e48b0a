/// A core/v1 Node (named so beside Yams' `Node`) as the API server sends it and as users write it (wire model):
/// only what a service proxy reads (kube-proxy's `NodeManager` and topology code): its name, labels
/// (`topology.kubernetes.io/zone`), `deletionTimestamp`, taints and `status.addresses`.
///
/// See ``NodeValidator`` for the typed, validated form.
public struct ClusterNode: Codable, Sendable, Hashable {
    /// `v1`.
    public var apiVersion: String?
    /// `Node`.
    public var kind: String?
    /// Name, labels, deletionTimestamp (a Node has no namespace).
    public var metadata: ObjectMeta
    /// The spec (its taints).
    public var spec: Spec?
    /// The status (its addresses).
    public var status: Status?

    /// The label holding the node's zone, the only topology label kube-proxy reads.
    public static let zoneLabel = "topology.kubernetes.io/zone"

    /// core/v1 `NodeSpec`, the part read here.
    public struct Spec: Codable, Sendable, Hashable {
        /// The node's taints.
        public var taints: [Taint]?
        /// Creates a spec.
        public init(taints: [Taint]? = nil) { self.taints = taints }
    }

    /// core/v1 `Taint`.
    public struct Taint: Codable, Sendable, Hashable {
        /// The taint's key (`ToBeDeletedByClusterAutoscaler`, ...).
        public var key: String?
        /// Its value.
        public var value: String?
        /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
        public var effect: String?
        /// Creates a taint.
        public init(key: String?, value: String? = nil, effect: String? = nil) {
            self.key = key
            self.value = value
            self.effect = effect
        }
    }

    /// core/v1 `NodeStatus`, the part read here.
    public struct Status: Codable, Sendable, Hashable {
        /// The node's addresses, as the kubelet (or cloud provider) reports them.
        public var addresses: [Address]?
        /// Creates a status.
        public init(addresses: [Address]? = nil) { self.addresses = addresses }
    }

    /// core/v1 `NodeAddress`.
    public struct Address: Codable, Sendable, Hashable {
        /// `InternalIP`, `ExternalIP`, `Hostname`, `InternalDNS` or `ExternalDNS`.
        public var type: String?
        /// The address.
        public var address: String?
        /// Creates an address.
        public init(type: String?, address: String?) {
            self.type = type
            self.address = address
        }
    }

    /// Creates a Node.
    public init(
        apiVersion: String? = "v1", kind: String? = "Node", metadata: ObjectMeta, spec: Spec? = nil,
        status: Status? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
