/// A set of validated objects, keyed by kind and name, that can be diffed against another.
public struct ObjectSnapshot: Sendable, Hashable {
    /// The objects.
    public var objects: [ObjectID: KubeObject]

    /// Creates a snapshot.
    public init(_ objects: [ObjectID: KubeObject] = [:]) { self.objects = objects }

    /// The changes that turn `self` into `new`: upserts for new and changed objects, deletes (with the last
    /// known state) for vanished ones. Unchanged objects yield nothing. Order: Node upserts, Service upserts, slice
    /// upserts, slice deletes, Service deletes, Node deletes; by name within each group.
    public func changes(to new: ObjectSnapshot) -> [ObjectChange] {
        Self.changes(from: objects, to: new.objects)
    }

    /// The changes that turn `old` into `new`, however the two are keyed (in the order of
    /// ``changes(to:)``): a list's objects diffed where they are kept, without keying them anew.
    static func changes<Key: Hashable>(from old: [Key: KubeObject], to new: [Key: KubeObject]) -> [ObjectChange] {
        var upserts: [KubeObject] = []
        var deletes: [KubeObject] = []
        for (key, object) in new where old[key] != object {
            upserts.append(object)
        }
        for (key, object) in old where new[key] == nil {
            deletes.append(object)
        }
        upserts.sort { ($0.kind.deliveryOrder, $0.id) < ($1.kind.deliveryOrder, $1.id) }
        deletes.sort { (-$0.kind.deliveryOrder, $0.id) < (-$1.kind.deliveryOrder, $1.id) }
        return upserts.map(ObjectChange.upsert) + deletes.map(ObjectChange.delete)
    }
}
