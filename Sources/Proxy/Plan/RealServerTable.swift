import IPVS
import Values

/// A desired virtual server's real servers, at most one per endpoint (address and port), in one array sorted by
/// endpoint. Looked up by endpoint like a dictionary, iterated in endpoint order (the order the planner writes them
/// in, with no sort per pass). A dictionary of the same real servers took 16 slots of 64 bytes for 10 of them; this
/// takes 32 bytes a real server (at 10,000 Services x 10 endpoints, 6 MB less in the footprint benchmark, when
/// a real server still took 40).
public struct RealServerTable: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// The real servers, sorted by endpoint, no two with the same endpoint.
    public private(set) var values: [RealServer]

    /// No real servers.
    public init() { values = [] }

    /// These real servers; of two with the same endpoint, the first is kept.
    public init(_ reals: some Sequence<RealServer>) {
        let given = Array(reals)
        var kept: [RealServer] = []
        kept.reserveCapacity(given.count)
        // Copied even when in order: the array given may have grown by doubling, and this one is kept.
        if zip(given, given.dropFirst()).allSatisfy({ $0.endpoint < $1.endpoint }) {
            kept.append(contentsOf: given)
            values = kept
            return
        }
        // Sorted by endpoint, then by position, so the first of a duplicate comes first and is the one kept.
        let ordered = given.indices.sorted {
            given[$0].endpoint < given[$1].endpoint || (given[$0].endpoint == given[$1].endpoint && $0 < $1)
        }
        for index in ordered where kept.last?.endpoint != given[index].endpoint { kept.append(given[index]) }
        values = kept
    }

    /// Real servers written as `[endpoint: real server]`; each is kept under its own endpoint.
    public init(dictionaryLiteral elements: (RealServerEndpoint, RealServer)...) {
        self.init(elements.map(\.1))
    }

    public var startIndex: Int { values.startIndex }
    public var endIndex: Int { values.endIndex }
    public subscript(position: Int) -> RealServer { values[position] }

    /// The endpoints, in order.
    public var keys: LazyMapCollection<[RealServer], RealServerEndpoint> { values.lazy.map(\.endpoint) }

    /// The real server at `endpoint`, nil when there is none. Setting nil removes it; setting a real server stores it
    /// under its own endpoint (which should be `endpoint`: one whose endpoint differs replaces the one at
    /// `endpoint` and is kept in order under its own).
    public subscript(endpoint: RealServerEndpoint) -> RealServer? {
        get {
            let index = position(of: endpoint)
            return index < values.count && values[index].endpoint == endpoint ? values[index] : nil
        }
        set {
            let index = position(of: endpoint)
            let present = index < values.count && values[index].endpoint == endpoint
            switch (newValue, present) {
            case (let real?, true) where real.endpoint == endpoint: values[index] = real
            case (let real?, false) where real.endpoint == endpoint: values.insert(real, at: index)
            case (let real?, _):
                if present { values.remove(at: index) }
                self[real.endpoint] = real
            case (nil, true): values.remove(at: index)
            case (nil, false): break
            }
        }
    }

    /// Removes every real server `shouldBeRemoved` picks, in one pass.
    public mutating func removeAll(where shouldBeRemoved: (RealServer) throws -> Bool) rethrows {
        try values.removeAll(where: shouldBeRemoved)
    }

    /// This table with `changes` applied in one merge: each change replaces the real server at its endpoint (or
    /// adds it), nil removes it. `changes` must be sorted by endpoint, one per endpoint.
    func merging(_ changes: [(RealServerEndpoint, RealServer?)]) -> RealServerTable {
        var merged: [RealServer] = []
        merged.reserveCapacity(values.count + changes.count)
        var old = values.startIndex
        for (endpoint, change) in changes {
            while old < values.endIndex, values[old].endpoint < endpoint {
                merged.append(values[old])
                old += 1
            }
            if old < values.endIndex, values[old].endpoint == endpoint { old += 1 }
            if let change { merged.append(change) }
        }
        merged.append(contentsOf: values[old...])
        var table = RealServerTable()
        table.values = merged
        return table
    }

    /// Whether the two tables hold the same storage (one copy, not two equal ones).
    func sharesStorage(with other: RealServerTable) -> Bool {
        values.withUnsafeBufferPointer { mine in
            other.values.withUnsafeBufferPointer { theirs in mine.baseAddress == theirs.baseAddress }
        }
    }

    /// The index of `endpoint`, or where it would be inserted.
    private func position(of endpoint: RealServerEndpoint) -> Int { values.sortedIndex(of: endpoint, by: \.endpoint) }
}
