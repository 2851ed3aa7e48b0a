/// A validated object of one of the kinds the sources deliver.
public enum KubeObject: Sendable, Hashable {
    /// A Service.
    case service(ValidatedService)
    /// An EndpointSlice.
    case endpointSlice(ValidatedEndpointSlice)
    /// A Node, boxed: the one Node a proxy reads does not make every object as large as itself.
    indirect case node(ValidatedNode)

    /// The kind.
    public var kind: ObjectKind {
        switch self {
        case .service: .service
        case .endpointSlice: .endpointSlice
        case .node: .node
        }
    }

    /// `namespace/name`.
    public var key: ObjectKey {
        switch self {
        case .service(let service): service.key
        case .endpointSlice(let slice): slice.key
        case .node(let node): node.key
        }
    }

    /// The kind and key together, unique across kinds.
    public var id: ObjectID { ObjectID(kind: kind, key: key) }
}
