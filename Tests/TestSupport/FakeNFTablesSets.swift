import IPVS
import Proxy
import Values

/// The tests' nf_tables sets: each set's keys as the kernel holds them. A batch's keys are added and removed (a key
/// it deletes need not be there: `FakeNFTables`' whole-table writes do not reach these sets); every set reads back,
/// a missing one as empty. Records the batches and the reads; can be told to refuse everything.
public final class FakeNFTablesSets: NFTablesSetAccess {
    struct State {
        var contents: [String: Set<[UInt8]>] = [:]
        var batches: [[NFTablesSetChange]] = []
        var reads = 0
        var refuse = false
    }
    private let state = Locked(State())

    /// Empty sets that take everything.
    public init() {}

    /// The batches applied so far, in order.
    public var batches: [[NFTablesSetChange]] { state.withLock { $0.batches } }
    /// How many times the sets were read back.
    public var reads: Int { state.withLock { $0.reads } }
    /// Makes it refuse every batch and read (as a kernel that cannot be reached), or take them again.
    public func refuse(_ value: Bool) { state.withLock { $0.refuse = value } }
    /// Puts `elements` in their sets (and nothing else in any set), as an earlier run would have left them.
    public func place(_ elements: some Sequence<MasqueradeElement>) {
        var contents: [String: Set<[UInt8]>] = [:]
        for element in elements { contents[element.setName, default: []].insert(element.storedKey) }
        state.withLock { $0.contents = contents }
    }

    public func apply(table: String, _ changes: [NFTablesSetChange]) throws(IPVSError) {
        let refused = state.withLock { state -> Bool in
            if state.refuse { return true }
            for change in changes {
                for key in change.keys {
                    if change.add {
                        state.contents[change.set, default: []].insert(key)
                    } else {
                        state.contents[change.set]?.remove(key)
                    }
                }
            }
            state.batches.append(changes)
            return false
        }
        if refused { throw IPVSError(code: .notFound, message: "refused by the test", errno: 2) }
    }

    public func keys(table: String, sets: [String]) throws(IPVSError) -> [String: [[UInt8]]] {
        let result = state.withLock { state -> [String: [[UInt8]]]? in
            if state.refuse { return nil }
            state.reads += 1
            return Dictionary(uniqueKeysWithValues: sets.map { ($0, Array(state.contents[$0] ?? [])) })
        }
        guard let result else { throw IPVSError(code: .notFound, message: "refused by the test", errno: 2) }
        return result
    }
}
