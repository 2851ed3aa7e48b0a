import Yams

extension ManifestObject {
    /// Reads a YAML document: the fast ``YAMLNodeFields`` path for well-formed Services, EndpointSlices and
    /// lists, else (on anything it does not handle) `YAMLDecoder`, which reports errors as it always has.
    static func decode(yaml node: Node) throws -> ManifestObject {
        do {
            return try fast(node)
        } catch {
            return try YAMLDecoder().decode(ManifestObject.self, from: node)
        }
    }

    static func fast(_ node: Node) throws(YAMLNodeFields.Unsupported) -> ManifestObject {
        let fields = try YAMLNodeFields(node)
        let kind = try fields.string("kind") ?? ""
        switch kind {
        case "Service": return .service(try Service(yaml: fields))
        case "EndpointSlice": return .endpointSlice(try EndpointSlice(yaml: fields))
        case "List", "ServiceList", "EndpointSliceList": return .list(try fields.sequence("items", fast) ?? [])
        default: return .other(kind: kind.isEmpty ? "<no kind>" : kind)
        }
    }
}
