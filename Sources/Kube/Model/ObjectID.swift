/// Identifies an object across kinds: `services/default/web`.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The kind.
    public var kind: ObjectKind
    /// `namespace/name`.
    public var key: ObjectKey

    /// Creates an id.
    public init(kind: ObjectKind, key: ObjectKey) {
        self.kind = kind
        self.key = key
    }

    /// `services/default/web`, `endpointslices/default/web-abc12`.
    public var description: String { "\(kind.resource)/\(key)" }

    /// Orders by kind, then key.
    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        (lhs.kind.rawValue, lhs.key) < (rhs.kind.rawValue, rhs.key)
    }
}
