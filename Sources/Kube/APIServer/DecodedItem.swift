/// One object from a list page or a watch event, after decoding and validation.
public enum DecodedItem: Sendable, Hashable {
    /// It passed validation (warnings name dropped endpoints).
    case valid(KubeObject, warnings: [ValidationError], resourceVersion: String?)
    /// It failed validation; the key is known when the name is.
    case invalid(ObjectKey?, ValidationError, resourceVersion: String?)

    /// Validates a decoded wire object.
    public static func from<Resource: KubeResource>(_ resource: Resource) -> DecodedItem {
        do {
            let (object, warnings) = try resource.validated()
            return .valid(object, warnings: warnings, resourceVersion: resource.metadata.resourceVersion)
        } catch {
            return .invalid(
                ObjectNaming.key(resource.metadata, kind: Resource.kind), error,
                resourceVersion: resource.metadata.resourceVersion)
        }
    }

    /// The object's key, when known.
    public var key: ObjectKey? {
        switch self {
        case .valid(let object, _, _): object.key
        case .invalid(let key, _, _): key
        }
    }

    /// The object's resourceVersion.
    public var resourceVersion: String? {
        switch self {
        case .valid(_, _, let version), .invalid(_, _, let version): version
        }
    }
}
