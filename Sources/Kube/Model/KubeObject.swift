/// A validated object of one of the kinds the sources deliver.
public enum KubeObject: Sendable, Hashable {
    /// A Service.
    case service(ValidatedService)
    /// An EndpointSlice.
    case endpointSlice(ValidatedEndpointSlice)

    /// The kind.
    public var kind: ObjectKind {
        switch self {
        case .service: .service
        case .endpointSlice: .endpointSlice
        }
    }

    /// `namespace/name`.
    public var key: ObjectKey {
        switch self {
        case .service(let service): service.key
        case .endpointSlice(let slice): slice.key
        }
    }

    /// The kind and key together, unique across kinds.
    public var id: ObjectID { ObjectID(kind: kind, key: key) }
}
