/// A wire object kind the sources know how to fetch, decode and validate (Service, EndpointSlice).
public protocol KubeResource: Codable, Sendable {
    /// The kind.
    static var kind: ObjectKind { get }
    /// The collection path on the API server (`/api/v1/services`).
    static var collectionPath: String { get }
    /// The object's metadata.
    var metadata: ObjectMeta { get }
    /// Validates the object: the typed object and warnings about parts that were dropped.
    func validated() throws(ValidationError) -> (object: KubeObject, warnings: [ValidationError])
}

extension Service: KubeResource {
    /// `.service`.
    public static var kind: ObjectKind { .service }
    /// `/api/v1/services`.
    public static var collectionPath: String { "/api/v1/services" }
    /// Validates with ``ServiceValidator``.
    public func validated() throws(ValidationError) -> (object: KubeObject, warnings: [ValidationError]) {
        (.service(try ServiceValidator.validate(self)), [])
    }
}

extension EndpointSlice: KubeResource {
    /// `.endpointSlice`.
    public static var kind: ObjectKind { .endpointSlice }
    /// `/apis/discovery.k8s.io/v1/endpointslices`.
    public static var collectionPath: String { "/apis/discovery.k8s.io/v1/endpointslices" }
    /// Validates with ``EndpointSliceValidator``.
    public func validated() throws(ValidationError) -> (object: KubeObject, warnings: [ValidationError]) {
        let result = try EndpointSliceValidator.validate(self)
        return (.endpointSlice(result.slice), result.warnings)
    }
}

extension ClusterNode: KubeResource {
    /// `.node`.
    public static var kind: ObjectKind { .node }
    /// `/api/v1/nodes`.
    public static var collectionPath: String { "/api/v1/nodes" }
    /// Validates with ``NodeValidator``.
    public func validated() throws(ValidationError) -> (object: KubeObject, warnings: [ValidationError]) {
        (.node(try NodeValidator.validate(self)), [])
    }
}
