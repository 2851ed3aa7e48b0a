/// A Kubernetes list response (`ServiceList`, `EndpointSliceList`): list metadata and the items.
public struct ObjectList<Item: Decodable & Sendable>: Decodable, Sendable {
    /// `ServiceList`, `EndpointSliceList`.
    public var kind: String?
    /// The list's resourceVersion and continue token.
    public var metadata: ListMeta
    /// The items of this page.
    public var items: [Item]

    private enum CodingKeys: String, CodingKey { case kind, metadata, items }

    /// Decodes a list; `items: null` decodes as empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        items = try container.decodeIfPresent([Item].self, forKey: .items) ?? []
    }

    /// Creates a list.
    public init(kind: String? = nil, metadata: ListMeta = ListMeta(), items: [Item]) {
        self.kind = kind
        self.metadata = metadata
        self.items = items
    }
}
