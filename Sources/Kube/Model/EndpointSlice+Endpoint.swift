extension EndpointSlice {
    /// discovery/v1 `Endpoint` (wire form).
    public struct Endpoint: Codable, Sendable, Hashable {
        /// The addresses (service proxies use the first one).
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
        /// The object behind the endpoint (its Pod).
        public var targetRef: TargetReference?

        /// Creates an endpoint.
        public init(
            addresses: [String],
            conditions: Conditions? = nil,
            nodeName: String? = nil,
            zone: String? = nil,
            hints: Hints? = nil,
            hostname: String? = nil,
            targetRef: TargetReference? = nil
        ) {
            self.addresses = addresses
            self.conditions = conditions
            self.nodeName = nodeName
            self.zone = zone
            self.hints = hints
            self.hostname = hostname
            self.targetRef = targetRef
        }

        private enum CodingKeys: String, CodingKey {
            case addresses, conditions, nodeName, zone, hints, hostname, targetRef
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
            self.targetRef = try container.decodeIfPresent(TargetReference.self, forKey: .targetRef)
        }
    }
}
