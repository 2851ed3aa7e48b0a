/// The largest object the proxy accepts from any source, as etcd's default request limit bounds what an API server
/// stores: 1.5 MiB. A bigger object is refused with an error naming it (its last valid version, if any, stays), and
/// the other objects load. From the API server the size is the watch line's; in a manifests file it is the bytes of
/// the object's keys and values (a manifests file is also capped as a whole: `ManifestsDirectoryScanner`).
public enum ObjectSizeLimit {
    /// 1.5 MiB.
    public static let objectBytes = 1536 * 1024

    /// `services/ns/name: <object>: 2000000 bytes, more than the 1572864-byte limit on one object`.
    public static func error(
        _ kind: ObjectKind, _ metadata: ObjectMeta?, bytes: Int, limit: Int = objectBytes, file: String? = nil
    ) -> ValidationError {
        ValidationError(
            code: .tooLarge,
            message:
                "\(bytes) bytes, more than the \(limit)-byte limit on one object (as etcd's request limit); refused",
            object: ObjectNaming.describe(kind, metadata ?? ObjectMeta()), field: "<object>", file: file)
    }

    /// The bytes of a YAML node's keys and values (the measure of an object in a manifests file), counted until they
    /// pass `limit` (then the count so far, which is past it). A tree of more than `limit` nodes is past it too, and
    /// its count of nodes is returned: an alias repeats the node it names, so a small text can stand for an
    /// exponentially large tree, whose JSON would take at least a byte a node; the walk stops there instead.
    static func contentBytes(_ node: YAMLNode, limit: Int) -> Int {
        var count = ContentCount()
        count.walk(node, limit: limit)
        return count.nodes > limit ? max(count.bytes, count.nodes) : count.bytes
    }
}

/// The bytes and nodes of a tree walked so far.
private struct ContentCount {
    var bytes = 0
    var nodes = 0

    func isPast(_ limit: Int) -> Bool { bytes > limit || nodes > limit }

    mutating func walk(_ node: YAMLNode, limit: Int) {
        nodes += 1
        switch node.resolved {
        case .scalar(let scalar): bytes += scalar.text.utf8.count
        case .mapping(let mapping):
            for (key, value) in zip(mapping.keys, mapping.values) {
                if isPast(limit) { return }
                bytes += key.utf8.count
                walk(value, limit: limit)
            }
        case .sequence(let items):
            for item in items {
                if isPast(limit) { return }
                walk(item, limit: limit)
            }
        case .alias, .yams: break
        }
    }
}

extension WatchInput {
    /// The input of a watch event that arrived as a line of `bytes`: an added or modified object over `limit` is
    /// refused (invalid: its last valid version stays); a deletion goes through whatever its size.
    static func from<Resource: KubeResource>(
        _ event: WatchEvent<Resource>, bytes: Int, limit: Int = ObjectSizeLimit.objectBytes
    ) -> WatchInput {
        let object: Resource
        switch event {
        case .added(let added) where bytes > limit: object = added
        case .modified(let modified) where bytes > limit: object = modified
        default: return from(event)
        }
        let error = ObjectSizeLimit.error(Resource.kind, object.metadata, bytes: bytes, limit: limit)
        return .upsert(
            .invalid(ObjectNaming.key(object.metadata), error, resourceVersion: object.metadata.resourceVersion))
    }
}
