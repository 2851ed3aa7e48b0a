extension EndpointSlice {
    /// core/v1 `ObjectReference` as an endpoint's `targetRef` (wire form): usually the Pod behind the endpoint.
    public struct TargetReference: Codable, Sendable, Hashable {
        /// The object's kind (`Pod` for pods).
        public var kind: String?
        /// Its namespace.
        public var namespace: String?
        /// Its name.
        public var name: String?

        /// Creates a reference.
        public init(kind: String? = nil, namespace: String? = nil, name: String? = nil) {
            self.kind = kind
            self.namespace = namespace
            self.name = name
        }

        private enum CodingKeys: String, CodingKey {
            case kind, namespace, name
        }
    }
}
