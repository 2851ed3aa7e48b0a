/// How objects are named in keys and messages.
enum ObjectNaming {
    /// The namespace objects without one are placed in.
    static let defaultNamespace = "default"

    /// `resource/namespace/name`, with `<unnamed>` when the name is missing.
    static func describe(_ kind: ObjectKind, _ metadata: ObjectMeta) -> String {
        let namespace = metadata.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? defaultNamespace
        let name = metadata.name.flatMap { $0.isEmpty ? nil : $0 } ?? "<unnamed>"
        return "\(kind.resource)/\(namespace)/\(name)"
    }

    /// The key, or nil when the name is missing.
    static func key(_ metadata: ObjectMeta) -> ObjectKey? {
        guard let name = metadata.name, !name.isEmpty else { return nil }
        let namespace = metadata.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? defaultNamespace
        return ObjectKey(namespace: namespace, name: name)
    }
}
