import Values

/// One manifest file's objects, each id once, in one array sorted by id: looked up by id like a dictionary. A file
/// holds one or a few objects, and a dictionary of them took about 200 bytes a file more (``ManifestDirectoryState``
/// of 10,000 files of a Service and its slice: 2.1 MB).
struct FileObjects: Sendable {
    /// The objects, sorted by id.
    private(set) var objects: [KubeObject] = []

    /// No objects.
    init() {}

    /// `objects`, the last of each id.
    init(_ objects: [KubeObject]) {
        self.objects.reserveCapacity(objects.count)
        // A few (nearly every file): put in place one by one, with no sort's arrays to allocate.
        guard objects.count > 16 else {
            for object in objects { self[object.id] = object }
            return
        }
        // A list of many, in any order: sorted once. Of two with one id, the later stays.
        let sorted = objects.enumerated().sorted { ($0.element.id, $0.offset) < ($1.element.id, $1.offset) }
        for (index, element) in sorted.enumerated()
        where index + 1 == sorted.count || sorted[index + 1].element.id != element.element.id {
            self.objects.append(element.element)
        }
    }

    /// The objects' ids, in order.
    var ids: some Collection<ObjectID> { objects.lazy.map(\.id) }

    /// The object with id `id`; setting one replaces the object with its id, or adds it, and nil removes it.
    subscript(id: ObjectID) -> KubeObject? {
        get {
            let index = objects.sortedIndex(of: id, by: \.id)
            return index < objects.count && objects[index].id == id ? objects[index] : nil
        }
        set {
            let index = objects.sortedIndex(of: id, by: \.id)
            let found = index < objects.count && objects[index].id == id
            switch (newValue, found) {
            case (let object?, true): objects[index] = object
            case (let object?, false): objects.insert(object, at: index)
            case (nil, true): objects.remove(at: index)
            case (nil, false): break
            }
        }
    }
}
