/// The kinds of object the sources deliver.
public enum ObjectKind: String, Sendable, Hashable, CaseIterable {
    /// core/v1 Service.
    case service = "Service"
    /// discovery.k8s.io/v1 EndpointSlice.
    case endpointSlice = "EndpointSlice"

    /// The API resource name, as used in paths and error messages (`services`, `endpointslices`).
    public var resource: String {
        switch self {
        case .service: "services"
        case .endpointSlice: "endpointslices"
        }
    }
}
