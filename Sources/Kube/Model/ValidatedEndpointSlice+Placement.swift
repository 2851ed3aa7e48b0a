extension ValidatedEndpointSlice.Endpoint {
    /// An endpoint's node and zone names, as one shared object: every endpoint on one node holds the same one
    /// (``NameTable/placement(node:zone:)``), a word where the two names took four (at 100,000 endpoints, 2.4 MB).
    public final class Placement: Sendable, Hashable {
        /// The two names, the key it is shared under.
        public struct Names: Sendable, Hashable {
            /// The node hosting the endpoint.
            public var node: String?
            /// That node's zone.
            public var zone: String?
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
