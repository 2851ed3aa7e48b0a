/// One event of a watch stream: `{"type": "ADDED", "object": {...}}`.
///
/// ERROR events carry an ``APIStatus`` instead of an object; BOOKMARK events carry an object with only
/// `metadata.resourceVersion` set.
public enum WatchEvent<Object: Decodable & Sendable>: Decodable, Sendable {
    /// The object was created (or is replayed on a watch without a resourceVersion).
    case added(Object)
    /// The object changed.
    case modified(Object)
    /// The object was deleted (the object is its last state).
    case deleted(Object)
    /// Progress marker: nothing changed up to this resourceVersion.
    case bookmark(resourceVersion: String?)
    /// The watch failed (for example 410: resourceVersion too old).
    case error(APIStatus)

    private enum CodingKeys: String, CodingKey { case type, object }

    private struct BookmarkObject: Decodable {
        var metadata: ObjectMeta?
    }

    /// Decodes an event, its object typed according to `type`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ADDED": self = .added(try container.decode(Object.self, forKey: .object))
        case "MODIFIED": self = .modified(try container.decode(Object.self, forKey: .object))
        case "DELETED": self = .deleted(try container.decode(Object.self, forKey: .object))
        case "BOOKMARK":
            let object = try container.decodeIfPresent(BookmarkObject.self, forKey: .object)
            self = .bookmark(resourceVersion: object?.metadata?.resourceVersion)
        case "ERROR": self = .error(try container.decode(APIStatus.self, forKey: .object))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "unknown watch event type \"\(type)\"")
        }
    }
}
