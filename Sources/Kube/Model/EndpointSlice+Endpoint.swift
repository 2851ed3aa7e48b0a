extension EndpointSlice {
    /// discovery/v1 `Endpoint` (wire form).
    public struct Endpoint: Codable, Sendable, Hashable {
        /// The addresses (kube-proxy uses the first one).
        public var addresses: [String]
        /// Readiness state.
        public var conditions: Conditions?
        /// The node hosting the endpoint.
        public var nodeName: String?
        /// The zone of that node.
        public var zone: String?
        /// Topology hints.
        public var hints: Hints?
        /// The endpoint's host name.
        public var hostname: String?

        /// Creates an endpoint.
        public init(
            addresses: [String],
            conditions: Conditions? = nil,
            nodeName: String? = nil,
            zone: String? = nil,
            hints: Hints? = nil,
            hostname: String? = nil
        ) {
            self.addresses = addresses
            self.conditions = conditions
            self.nodeName = nodeName
            self.zone = zone
            self.hints = hints
            self.hostname = hostname
        }

        private enum CodingKeys: String, CodingKey {
            case addresses, conditions, nodeName, zone, hints, hostname
        }

        /// Decodes an endpoint; a missing `addresses` decodes as empty (validation rejects it).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.addresses = try container.decodeIfPresent([String].self, forKey: .addresses) ?? []
            self.conditions = try container.decodeIfPresent(Conditions.self, forKey: .conditions)
            self.nodeName = try container.decodeIfPresent(String.self, forKey: .nodeName)
            self.zone = try container.decodeIfPresent(String.self, forKey: .zone)
            self.hints = try container.decodeIfPresent(Hints.self, forKey: .hints)
            self.hostname = try container.decodeIfPresent(String.self, forKey: .hostname)
        }
    }

    /// discovery/v1 `EndpointConditions`. Absent `ready` means ready; absent `serving` follows `ready`.
    public struct Conditions: Codable, Sendable, Hashable {
        /// Ready to receive new connections.
        public var ready: Bool?
        /// Able to serve (may be terminating).
        public var serving: Bool?
        /// Being shut down.
        public var terminating: Bool?
        /// Creates conditions.
        public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
            self.ready = ready
            self.serving = serving
            self.terminating = terminating
        }
    }

    /// discovery/v1 `EndpointHints`.
    public struct Hints: Codable, Sendable, Hashable {
        /// Zones that should consume this endpoint.
        public var forZones: [NamedHint]?
        /// Nodes that should consume this endpoint.
        public var forNodes: [NamedHint]?
        /// Creates hints.
        public init(forZones: [NamedHint]? = nil, forNodes: [NamedHint]? = nil) {
            self.forZones = forZones
            self.forNodes = forNodes
        }
    }

    /// A zone or node named in ``Hints``.
    public struct NamedHint: Codable, Sendable, Hashable {
        /// The zone or node name.
        public var name: String
        /// Creates a hint.
        public init(name: String) { self.name = name }
    }
}
