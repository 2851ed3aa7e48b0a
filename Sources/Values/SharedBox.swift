/// An immutable value on the heap, shared by every copy of the struct that holds it: a large value kept in many
/// places (an object in the source's cache, the tracker's index, a change on its way) costs one pointer in each.
/// A holder changes it by putting a new box in place (copy on write), so a box is never mutated and is `Sendable`.
public final class SharedBox<Value: Sendable & Hashable>: Sendable, Hashable {
    /// The value.
    public let value: Value

    /// A box holding `value`.
    public init(_ value: Value) { self.value = value }

    /// A box holding `value` changed by `change`.
    public func with(_ change: (inout Value) -> Void) -> SharedBox {
        var copy = value
        change(&copy)
        return SharedBox(copy)
    }

    public static func == (lhs: SharedBox, rhs: SharedBox) -> Bool { lhs === rhs || lhs.value == rhs.value }

    public func hash(into hasher: inout Hasher) { value.hash(into: &hasher) }
}

/// A value whose fields live in one ``SharedBox``, read and written as if they were its own (`@dynamicMemberLookup`
/// on the conforming type): one pointer wherever the value is kept, copied on write.
public protocol BoxedFields: Sendable, Hashable, CustomReflectable {
    /// The fields.
    associatedtype Fields: Sendable & Hashable
    /// The box holding them: read through the fields, replaced by a write to one.
    var box: SharedBox<Fields> { get set }
}

extension BoxedFields {
    /// A field (`.key`, `.ports`, ...); setting one puts a changed copy of the box in place (copy on write).
    @inlinable public subscript<Value>(dynamicMember field: WritableKeyPath<Fields, Value>) -> Value {
        get { box.value[keyPath: field] }
        set { box = box.with { $0[keyPath: field] = newValue } }
    }

    /// Printed as its fields.
    public var customMirror: Mirror { Mirror(reflecting: box.value) }
}
