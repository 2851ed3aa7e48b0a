/// One document (or one item of a `kind: List`) of a manifest file, sorted by kind.
///
/// Decoding never fails for a well-formed mapping: a Service or EndpointSlice whose fields have the wrong
/// shape becomes ``malformed(kind:metadata:field:message:)`` so the other documents of the file still load.
public enum ManifestObject: Decodable, Sendable {
    /// A Service.
    case service(Service)
    /// An EndpointSlice.
    case endpointSlice(EndpointSlice)
    /// A Node (the proxy reads the one named after its node: zone label, deletion, taints).
    case node(ClusterNode)
    /// A `kind: List` (or `ServiceList`, `EndpointSliceList`, `NodeList`) and its items.
    case list([ManifestObject])
    /// A kind the proxy does not use (Deployment, ConfigMap...).
    case other(kind: String)
    /// The kinds read as lists of objects.
    static let listKinds: Set<String> = ["List", "ServiceList", "EndpointSliceList", "NodeList"]

    /// A Service, EndpointSlice or Node that could not be decoded; `field` is the path of the bad field.
    case malformed(kind: ObjectKind, metadata: ObjectMeta?, field: String, message: String)

    private enum CodingKeys: String, CodingKey { case kind, metadata, items }

    /// Sorts the document by `kind` and decodes it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? ""
        switch kind {
        case "Service":
            self = Self.attempt(.service, container, decoder) { .service(try Service(from: decoder)) }
        case "EndpointSlice":
            self = Self.attempt(.endpointSlice, container, decoder) {
                .endpointSlice(try EndpointSlice(from: decoder))
            }
        case "Node":
            self = Self.attempt(.node, container, decoder) { .node(try ClusterNode(from: decoder)) }
        case _ where Self.listKinds.contains(kind):
            self = .list(try container.decodeIfPresent([ManifestObject].self, forKey: .items) ?? [])
        default:
            self = .other(kind: kind.isEmpty ? "<no kind>" : kind)
        }
    }

    private static func attempt(
        _ kind: ObjectKind, _ container: KeyedDecodingContainer<CodingKeys>, _ decoder: any Decoder,
        _ body: () throws -> ManifestObject
    ) -> ManifestObject {
        do {
            return try body()
        } catch {
            let metadata = try? container.decodeIfPresent(ObjectMeta.self, forKey: .metadata)
            let (field, message) = DecodingErrorDescription.describe(error, below: decoder.codingPath)
            return .malformed(kind: kind, metadata: metadata ?? nil, field: field, message: message)
        }
    }
}
