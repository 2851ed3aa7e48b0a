import Foundation

/// The parsed content of one manifest file: valid objects, rejected objects, and ignored kinds.
public struct ManifestFile: Sendable {
    /// An object of the file that passed validation, with the warnings about endpoints dropped from it.
    public struct Accepted: Sendable {
        /// The validated object.
        public var object: KubeObject
        /// Dropped endpoints, each naming file, object and field.
        public var warnings: [ValidationError]
    }

    /// An object of the file that failed validation.
    public struct Rejected: Sendable {
        /// The object's id when its name is known (used to keep its last valid version).
        public var id: ObjectID?
        /// Why, naming file, object and field.
        public var error: ValidationError
    }

    /// Valid objects, in file order.
    public var accepted: [Accepted] = []
    /// Invalid objects, in file order.
    public var rejected: [Rejected] = []
    /// Kinds that are not Services or EndpointSlices (Deployments, ConfigMaps...), ignored.
    public var ignoredKinds: [String] = []
    /// The digest of the file's bytes when it loaded clean (nothing rejected, dropped or ignored): what keys its
    /// objects in the ``ManifestCache``. Nil for a file with anything to report, which is parsed at every start.
    public var digest: ContentDigest? = nil
    /// Whether the objects came from the ``ManifestCache`` rather than from parsing the file.
    public var fromCache = false

    /// Whether nothing in the file is to be reported: every document an object that passed validation whole.
    public var isClean: Bool {
        rejected.isEmpty && ignoredKinds.isEmpty && accepted.allSatisfy { $0.warnings.isEmpty }
    }

    /// The file's objects as the cache holds them (clean: accepted whole).
    init(cached objects: [KubeObject], digest: ContentDigest) {
        accepted = objects.map { Accepted(object: $0, warnings: []) }
        self.digest = digest
        fromCache = true
    }

    /// An empty file.
    init() {}

    /// Parses a file's text. `.json` files use `JSONDecoder`; everything else is YAML (several documents
    /// separated by `---`). A syntax error anywhere fails the whole file.
    ///
    /// An object over `objectLimit` (``ObjectSizeLimit``: the bytes of its keys and values in YAML, the file's in
    /// JSON) is rejected, naming it; the others load. A JSON `List` is measured item by item only in YAML form.
    public static func parse(
        _ text: String, path: String, objectLimit: Int = ObjectSizeLimit.objectBytes
    ) throws(ManifestError) -> ManifestFile {
        var file = ManifestFile()
        // No object can be larger than the text holding it: only a large text is measured.
        let measure = text.utf8.count > objectLimit
        if path.hasSuffix(".json") {
            do {
                let data = Data(text.utf8)
                if measure, let head = try? JSONDecoder().decode(Head.self, from: data), head.isObject {
                    file.rejected.append(
                        Rejected(
                            id: head.id,
                            error: ObjectSizeLimit.error(
                                head.objectKind, head.metadata, bytes: data.count, limit: objectLimit, file: path)))
                    return file
                }
                let document = try JSONDecoder().decode(ManifestObject.self, from: data)
                file.add(document, path: path)
            } catch {
                throw ManifestError(code: .syntax, message: "invalid JSON: \(error)", file: path)
            }
            return file
        }
        do {
            for node in try YAMLObjectDecoder.documents(text) {
                guard node.isMapping else {
                    file.rejected.append(
                        Rejected(
                            id: nil,
                            error: ValidationError(
                                code: .malformed, message: "a document must be a mapping",
                                object: "<document>", field: "<document>", file: path)))
                    continue
                }
                guard measure else {
                    file.add(try YAMLObjectDecoder.decode(ManifestObject.self, from: node), path: path)
                    continue
                }
                let items: [YAMLNode]
                if let kind = node["kind"]?.text, ManifestObject.listKinds.contains(kind) {
                    items = node["items"]?.items ?? []
                } else {
                    items = [node]
                }
                for item in items {
                    let bytes = ObjectSizeLimit.contentBytes(item, limit: objectLimit)
                    if bytes > objectLimit {
                        file.rejectTooLarge(item, bytes: bytes, limit: objectLimit, path: path)
                    } else {
                        file.add(try YAMLObjectDecoder.decode(ManifestObject.self, from: item), path: path)
                    }
                }
            }
        } catch {
            throw ManifestError(code: .syntax, message: "invalid YAML: \(error)", file: path)
        }
        return file
    }

    mutating func add(_ document: ManifestObject, path: String) {
        switch document {
        case .service(let service): add(service, path: path)
        case .endpointSlice(let slice): add(slice, path: path)
        case .node(let node): add(node, path: path)
        case .list(let items): for item in items { add(item, path: path) }
        case .other(let kind): ignoredKinds.append(kind)
        case .malformed(let kind, let metadata, let field, let message):
            let meta = metadata ?? ObjectMeta()
            rejected.append(
                Rejected(
                    id: ObjectNaming.key(meta, kind: kind).map { ObjectID(kind: kind, key: $0) },
                    error: ValidationError(
                        code: .malformed, message: message, object: ObjectNaming.describe(kind, meta), field: field,
                        file: path)))
        }
    }

    mutating func add<Resource: KubeResource>(_ resource: Resource, path: String) {
        do {
            let (object, warnings) = try resource.validated()
            accepted.append(Accepted(object: object, warnings: warnings.map { $0.inFile(path) }))
        } catch {
            rejected.append(
                Rejected(
                    id: ObjectNaming.key(resource.metadata, kind: Resource.kind).map {
                        ObjectID(kind: Resource.kind, key: $0)
                    },
                    error: error.inFile(path)))
        }
    }

    /// Rejects an object over the size limit, naming it when its kind and name can be read.
    mutating func rejectTooLarge(_ node: YAMLNode, bytes: Int, limit: Int, path: String) {
        let head = node["metadata"].flatMap { try? YAMLObjectDecoder.decode(ObjectMeta.self, from: $0) }
        let kind = Head(kind: node["kind"]?.text, metadata: head)
        guard kind.isObject else { return ignoredKinds.append(kind.kind ?? "<no kind>") }
        rejected.append(
            Rejected(
                id: kind.id, error: ObjectSizeLimit.error(kind.objectKind, head, bytes: bytes, limit: limit, file: path)
            ))
    }

    /// An object's kind and metadata, read without the rest.
    struct Head: Decodable {
        var kind: String?
        var metadata: ObjectMeta?

        var isObject: Bool { kind.flatMap(ObjectKind.init(rawValue:)) != nil }
        var objectKind: ObjectKind { kind.flatMap(ObjectKind.init(rawValue:)) ?? .service }
        var id: ObjectID? {
            guard isObject, let metadata, let key = ObjectNaming.key(metadata, kind: objectKind)
            else { return nil }
            return ObjectID(kind: objectKind, key: key)
        }
    }
}
