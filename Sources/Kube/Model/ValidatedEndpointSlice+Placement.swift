extension ValidatedEndpointSlice.Endpoint {
    /// An endpoint's node and zone names and its topology hints, as one shared object: every endpoint on one node
    /// holds the same one (``NameTable/placement(node:zone:hintZones:hintNodes:)``), a word where the two names took
    /// four (at 100,000 endpoints, 2.4 MB) and the hints one more, or with hints an array of their own each.
    public final class Placement: Sendable, Hashable {
        /// The names, the key it is shared under.
        public struct Names: Sendable, Hashable {
            /// The node hosting the endpoint.
            public var node: String?
            /// That node's zone.
            public var zone: String?
            /// The zones the endpoint is hinted for (topology-aware routing).
            public var hintZones: [String] = []
            /// The nodes the endpoint is hinted for.
            public var hintNodes: [String] = []
        }

        /// The names.
        public let names: Names

        init(_ names: Names) {
            self.names = names
        }

        public static func == (lhs: Placement, rhs: Placement) -> Bool {
            lhs === rhs || lhs.names == rhs.names
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(names)
        }
    }
}
