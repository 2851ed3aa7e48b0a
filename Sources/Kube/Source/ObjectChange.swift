/// A change to one validated object.
public enum ObjectChange: Sendable, Hashable, CustomStringConvertible {
    /// The object is new or changed: this is its whole current state.
    case upsert(KubeObject)
    /// The object is gone; this is its last known state (so a consumer can find, say, the slice's Service).
    case delete(KubeObject)

    /// The object the change is about.
    public var object: KubeObject {
        switch self {
        case .upsert(let object), .delete(let object): object
        }
    }

    /// `upsert services/default/web`.
    public var description: String {
        switch self {
        case .upsert(let object): "upsert \(object.id)"
        case .delete(let object): "delete \(object.id)"
        }
    }
}
