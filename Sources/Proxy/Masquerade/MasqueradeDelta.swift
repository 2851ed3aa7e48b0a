/// Net changes to the set elements since the table was last brought in step: an element added and then removed
/// (or the other way round) cancels out.
public struct MasqueradeDelta: Sendable, Hashable {
    /// Elements to add.
    public private(set) var added: Set<MasqueradeElement> = []
    /// Elements to delete.
    public private(set) var removed: Set<MasqueradeElement> = []

    /// No change.
    public init() {}

    /// True when there is nothing to change.
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty }

    /// Records that `element` appeared.
    public mutating func add(_ element: MasqueradeElement) {
        if removed.remove(element) == nil { added.insert(element) }
    }

    /// Records that `element` went away.
    public mutating func remove(_ element: MasqueradeElement) {
        if added.remove(element) == nil { removed.insert(element) }
    }

    /// The number of elements added and removed.
    public var count: Int { added.count + removed.count }

    /// The order a delta is written in, as nft text or as a netlink batch: deletions, then additions, each grouped
    /// by set, the sets by name.
    public var bySet: [(add: Bool, set: String, elements: [MasqueradeElement])] {
        [(false, removed), (true, added)].flatMap { add, elements in
            Dictionary(grouping: elements, by: \.setName).sorted { $0.key < $1.key }.map { (add, $0.key, $0.value) }
        }
    }
}
