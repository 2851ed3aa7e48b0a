import Values

/// An EndpointSlice that passed validation. Endpoints whose address was invalid, and ports without a usable number,
/// have been dropped.
@dynamicMemberLookup
public struct ValidatedEndpointSlice: BoxedFields {
    /// The fields of a validated EndpointSlice, read and written through it (`slice.key`): each one
    /// pointer to a shared box wherever it is kept.
    public struct Fields: Sendable, Hashable {
        /// `namespace/name` of the slice.
        public var key: ObjectKey
        /// The API server's resourceVersion (nil for manifests).
        public var resourceVersion: String?
        /// The owning Service's name (the `kubernetes.io/service-name` label); nil when absent, and then a proxy
        /// ignores the slice.
        public var serviceName: String?
        /// The address type.
        public var addressType: AddressType
        /// The endpoints (valid ones only).
        public var endpoints: [Endpoint]
        /// The ports.
        public var ports: [Port]
        /// When the change this revision holds was triggered (the
        /// `endpoints.kubernetes.io/last-change-trigger-time` annotation the EndpointSlice controller writes, as
        /// Unix seconds); nil when absent or unreadable. kube-proxy's network-programming latency is measured from it.
        public var lastChangeTriggerTime: Double? = nil
        /// The `service.kubernetes.io/service-proxy-name` label's value, which names the service proxy the slice is
        /// for; nil without the label (kube-proxy lists only such slices).
        public var serviceProxyName: String? = nil
        /// Whether the slice carries the `service.kubernetes.io/headless` label (the EndpointSlice controller's mark
        /// on a headless Service's slices): kube-proxy lists slices without it only.
        public var headless = false
    }

    /// The fields' box (read and written through them).
    public var box: SharedBox<Fields>

    /// A validated EndpointSlice.
    public init(
        key: ObjectKey,
        resourceVersion: String?,
        serviceName: String?,
        addressType: AddressType,
        endpoints: [Endpoint],
        ports: [Port],
        lastChangeTriggerTime: Double? = nil,
        serviceProxyName: String? = nil,
        headless: Bool = false
    ) {
        box = SharedBox(
            Fields(
                key: key,
                resourceVersion: resourceVersion,
                serviceName: serviceName,
                addressType: addressType,
                endpoints: Endpoint.sharingTargetNames(endpoints),
                ports: ports,
                lastChangeTriggerTime: lastChangeTriggerTime, serviceProxyName: serviceProxyName,
                headless: headless))
    }

    /// The owning Service's key, when the label names one.
    public var serviceKey: ObjectKey? {
        box.value.serviceName.map { ObjectKey(namespace: box.value.key.namespace, name: $0) }
    }

    /// A validated endpoint. Conditions carry the defaults kube-proxy applies: absent ready means ready, absent
    /// serving means serving (the API's documented default), absent terminating means not terminating.
    public struct Endpoint: Sendable, Hashable {
        /// The endpoint's address: the first of the slice's `addresses` (the only one kube-proxy uses; the API
        /// server's EndpointSlices carry exactly one), of the slice's family.
        public var address: IPAddress
        /// Ready for new connections.
        public var ready: Bool
        /// Able to serve (also true while terminating if the pod still serves).
        public var serving: Bool
        /// Being shut down.
        public var terminating: Bool
        /// The node hosting it, that node's zone and its topology hints, in one object shared by the endpoints
        /// with the same ones (the endpoints on one node, whose hints name their own zone).
        private(set) var placement: Placement?
        /// The node hosting it.
        public var nodeName: String? {
            get { placement?.names.node }
            set { place(node: newValue, zone: zone, hintZones: hintZones, hintNodes: hintNodes) }
        }
        /// That node's zone.
        public var zone: String? {
            get { placement?.names.zone }
            set { place(node: nodeName, zone: newValue, hintZones: hintZones, hintNodes: hintNodes) }
        }
        /// Zone hints.
        public var hintZones: ArraySlice<String> {
            get { placement?.names.hintZones[...] ?? [] }
            set { place(node: nodeName, zone: zone, hintZones: newValue, hintNodes: hintNodes) }
        }
        /// Node hints.
        public var hintNodes: ArraySlice<String> {
            get { placement?.names.hintNodes[...] ?? [] }
            set { place(node: nodeName, zone: zone, hintZones: hintZones, hintNodes: newValue) }
        }
        /// The name of the object behind the endpoint (its Pod), when the slice says.
        public var targetName: String? {
            get { targetPrefix.map { $0 + targetSuffix } }
            set { (targetPrefix, targetSuffix) = Self.split(newValue) }
        }
        /// ``targetName`` up to and including its last "-": for a Deployment's Pods, their ReplicaSet's name and
        /// "-", which the endpoints of one slice hold in one shared copy (``sharingTargetNames(_:)``). Nil when
        /// there is no name.
        private(set) var targetPrefix: String?
        /// The rest of ``targetName``: for a Deployment's Pod its 5 characters, held inline. A Pod name is longer
        /// than the 15 bytes a `String` holds inline, so kept whole each took a heap block of its own (6 MB at
        /// 100,000 endpoints).
        private(set) var targetSuffix: String

        /// Creates an endpoint; its node, zone and hints are shared through `names`.
        public init(
            address: IPAddress, ready: Bool, serving: Bool, terminating: Bool, nodeName: String? = nil,
            zone: String? = nil, hintZones: [String] = [], hintNodes: [String] = [], targetName: String? = nil,
            names: NameTable = .shared
        ) {
            self.address = address
            self.ready = ready
            self.serving = serving
            self.terminating = terminating
            placement = names.placement(node: nodeName, zone: zone, hintZones: hintZones, hintNodes: hintNodes)
            (targetPrefix, targetSuffix) = Self.split(targetName)
        }

        /// Replaces the placement with the shared one of these names.
        private mutating func place(
            node: String?, zone: String?, hintZones: ArraySlice<String>, hintNodes: ArraySlice<String>
        ) {
            placement = NameTable.shared.placement(
                node: node, zone: zone, hintZones: Array(hintZones), hintNodes: Array(hintNodes))
        }

        /// A target name cut after its last "-" (all in the suffix when it has none).
        private static func split(_ name: String?) -> (String?, String) {
            guard let name else { return (nil, "") }
            guard let dash = name.utf8.lastIndex(of: UInt8(ascii: "-")) else { return ("", name) }
            let cut = name.utf8.index(after: dash)
            return (String(name[..<cut]), String(name[cut...]))
        }

        /// `endpoints`, those whose target names have equal prefixes holding one copy of it: a table of the slice's
        /// own, as a prefix is shared by one ReplicaSet's Pods only (the node names' shared table would fill with
        /// them).
        static func sharingTargetNames(_ endpoints: [Endpoint]) -> [Endpoint] {
            var endpoints = endpoints
            let prefixes = NameTable(capacity: endpoints.count)
            for index in endpoints.indices {
                endpoints[index].targetPrefix = prefixes.intern(endpoints[index].targetPrefix)
            }
            return endpoints
        }
    }

    /// A validated endpoint port.
    public struct Port: Sendable, Hashable {
        /// The name ("" when unnamed).
        public var name: String
        /// The protocol.
        public var `protocol`: TransportProtocol
        /// The port number.
        public var port: UInt16

        /// Creates a port.
        public init(name: String, protocol: TransportProtocol, port: UInt16) {
            self.name = name
            self.protocol = `protocol`
            self.port = port
        }
    }
}
