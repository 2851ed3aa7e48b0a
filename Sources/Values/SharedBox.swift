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
