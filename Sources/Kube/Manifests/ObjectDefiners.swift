/// The files defining each object of a manifests directory, in path order: the first defines it, the others are
/// ignored (``ManifestDirectoryState``). Nearly every object has one file, held without an array: an array of one path
/// for each of 20,000 objects took 1 MB more.
struct ObjectDefiners: Sendable {
    /// The first file defining each object.
    private var first: [ObjectID: String] = [:]
    /// The other files defining an object that has more than one, in path order.
    private var others: [ObjectID: [String]] = [:]

    /// No objects.
    init() {}

    /// Every object some file defines.
    var ids: Dictionary<ObjectID, String>.Keys { first.keys }

    /// The file whose version of `id` is in force: the first in path order.
    func winner(of id: ObjectID) -> String? { first[id] }

    /// The files defining `id`, in path order, when there are several; nil for one or none.
    func duplicates(of id: ObjectID) -> [String]? {
        guard let first = first[id], let others = others[id] else { return nil }
        return [first] + others
    }

    /// Records that the file at `path` defines `id`.
    mutating func add(_ path: String, for id: ObjectID) {
        guard let current = first[id] else {
            first[id] = path
            return
        }
        var rest = others[id] ?? []
        if path < current {
            first[id] = path
            rest.insert(current, at: 0)
        } else {
            rest.insert(path, at: rest.firstIndex { $0 > path } ?? rest.endIndex)
        }
        others[id] = rest
    }

    /// Records that the file at `path` no longer defines `id`.
    mutating func remove(_ path: String, for id: ObjectID) {
        if first[id] == path {
            var rest = others.removeValue(forKey: id) ?? []
            first[id] = rest.isEmpty ? nil : rest.removeFirst()
            if !rest.isEmpty { others[id] = rest }
        } else if var rest = others.removeValue(forKey: id) {
            rest.removeAll { $0 == path }
            if !rest.isEmpty { others[id] = rest }
        }
    }
}
