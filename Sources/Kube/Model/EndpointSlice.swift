/// A discovery.k8s.io/v1 EndpointSlice as the API server sends it and as users write it (wire model).
///
/// See ``EndpointSliceValidator`` for the typed, validated form.
public struct EndpointSlice: Codable, Sendable, Hashable {
    /// `discovery.k8s.io/v1`.
    public var apiVersion: String?
    /// `EndpointSlice`.
    public var kind: String?
    /// Name, namespace, labels (``serviceNameLabel``), resourceVersion.
    public var metadata: ObjectMeta
    /// `IPv4`, `IPv6` or `FQDN`.
    public var addressType: String?
    /// The endpoints.
    public var endpoints: [Endpoint]?
    /// The ports every endpoint serves.
    public var ports: [Port]?

    /// Creates an EndpointSlice.
    public init(
        apiVersion: String? = "discovery.k8s.io/v1",
        kind: String? = "EndpointSlice",
        metadata: ObjectMeta,
        addressType: String?,
        endpoints: [Endpoint]? = nil,
        ports: [Port]? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    /// Label naming the Service a slice belongs to.
    public static let serviceNameLabel = "kubernetes.io/service-name"
    /// The annotation the EndpointSlice controller sets to when the change the slice holds was triggered (RFC 3339
    /// with nanoseconds), which kube-proxy measures its network-programming latency from.
    public static let lastChangeTriggerTimeAnnotation = "endpoints.kubernetes.io/last-change-trigger-time"
}
