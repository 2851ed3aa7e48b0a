extension EndpointSlice {
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
