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
        var upserts: [KubeObject] = []
        var deletes: [KubeObject] = []
        for (id, object) in new.objects where objects[id] != object {
            upserts.append(object)
        }
        for (id, object) in objects where new.objects[id] == nil {
            deletes.append(object)
        }
        upserts.sort { ($0.kind.deliveryOrder, $0.id) < ($1.kind.deliveryOrder, $1.id) }
        deletes.sort { (-$0.kind.deliveryOrder, $0.id) < (-$1.kind.deliveryOrder, $1.id) }
        return upserts.map(ObjectChange.upsert) + deletes.map(ObjectChange.delete)
    }
}
