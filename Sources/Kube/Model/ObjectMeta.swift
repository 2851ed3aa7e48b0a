/// The subset of `metav1.ObjectMeta` the proxy reads. Every field is optional on the wire; unknown fields
/// (managedFields, ownerReferences, ...) are ignored when decoding.
public struct ObjectMeta: Codable, Sendable, Hashable {
    /// The object's name, unique within its namespace.
    public var name: String?
    /// The namespace; absent in user-written manifests means `default`.
    public var namespace: String?
    /// The server-assigned unique id.
    public var uid: String?
    /// The opaque version the API server assigned to this revision of the object.
    public var resourceVersion: String?
    /// Labels (for example `kubernetes.io/service-name` on an EndpointSlice).
    public var labels: [String: String]?
    /// Annotations (for example a scheduler override).
    public var annotations: [String: String]?
    /// Set when the object is being deleted (RFC 3339 timestamp, kept as text).
    public var deletionTimestamp: String?
    /// When the API server created the object (RFC 3339, UTC to the second, kept as text); absent in manifests
    /// unless written there.
    public var creationTimestamp: String?

    /// Creates object metadata.
    public init(
        name: String? = nil,
        namespace: String? = nil,
        uid: String? = nil,
        resourceVersion: String? = nil,
        labels: [String: String]? = nil,
        annotations: [String: String]? = nil,
        deletionTimestamp: String? = nil,
        creationTimestamp: String? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.labels = labels
        self.annotations = annotations
        self.deletionTimestamp = deletionTimestamp
        self.creationTimestamp = creationTimestamp
    }
}
