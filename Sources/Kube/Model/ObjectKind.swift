/// The kinds of object the sources deliver.
public enum ObjectKind: String, Sendable, Hashable, CaseIterable {
    /// core/v1 Service.
    case service = "Service"
    /// discovery.k8s.io/v1 EndpointSlice.
    case endpointSlice = "EndpointSlice"
    /// core/v1 Node (cluster-scoped: its key's namespace is empty).
    case node = "Node"

    /// The API resource name, as used in paths and error messages (`services`, `endpointslices`).
    public var resource: String {
        switch self {
        case .service: "services"
        case .endpointSlice: "endpointslices"
        case .node: "nodes"
        }
    }

    /// False for cluster-scoped kinds (Node), whose keys have an empty namespace.
    public var isNamespaced: Bool { self != .node }

    /// The order in which a batch of upserts is delivered: the Node first (its zone decides which endpoints a
    /// Service uses), then Services, then their slices; deletes go the other way.
    var deliveryOrder: Int {
        switch self {
        case .node: 0
        case .service: 1
        case .endpointSlice: 2
        }
    }
}
