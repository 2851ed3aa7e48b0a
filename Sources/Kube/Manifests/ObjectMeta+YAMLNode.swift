/// Reading metadata from a YAML node (see ``YAMLNodeFields``).
extension ObjectMeta {
    init(yaml fields: YAMLNodeFields) throws(YAMLNodeFields.Unsupported) {
        self.init(
            name: try fields.string("name"), namespace: try fields.string("namespace"), uid: try fields.string("uid"),
            resourceVersion: try fields.string("resourceVersion"), labels: try fields.stringMap("labels"),
            annotations: try fields.stringMap("annotations"), deletionTimestamp: try fields.string("deletionTimestamp"))
    }

    /// The required `metadata` of an object.
    static func required(in fields: YAMLNodeFields) throws(YAMLNodeFields.Unsupported) -> ObjectMeta {
        guard let metadata = try fields.fields("metadata") else { throw YAMLNodeFields.Unsupported() }
        return try ObjectMeta(yaml: metadata)
    }
}
