import Values
import IPVS
import NFTables

/// Keeps the proxy's nftables table in step with the desired state, writing only when something changed.
///
/// The first pass, and the first after a failure or after the table was found missing, replaces the whole table
/// in one transaction. At start, a table already in the kernel that carries the mark of the one to write (the same
/// chains, rules and cluster CIDRs: ``NFTablesScript/mark(for:)``) has its sets read back (as soon as it is found,
/// beside the reading of the objects: nothing writes the table before the first pass) and compared with the
/// elements to write: the same, nothing is written (an unchanged restart writes nothing, even after changes made
/// during the previous run); a few different, or any number only to add (sets created empty), only those are
/// written. Otherwise a pass writes only the set
/// elements that changed since the last successful write, also in one transaction; with nothing changed, nothing
/// is run. Given a set writer, a change of at most ``directLimit`` elements outside the
/// interval sets goes to the kernel as one nf_tables batch of its own (``NFTablesSetClient``), not through
/// libnftables, whose fresh context re-reads the table's definitions first (most of a change's latency); a larger
/// one that only adds goes as batches of ``fillTransactionLimit`` keys, one transaction after another. The
/// periodic full pass recomputes every virtual server and checks that the table is still there.
public struct MasqueradeSync: Sendable {
    /// What one pass did.
    public enum Action: Sendable, Equatable {
        /// Nothing changed; nothing was run.
        case unchanged
        /// The whole table was written, with this many set elements.
        case replaced(elements: Int)
        /// The table found at start carries the mark of the one to write and its sets hold the elements to write: it
        /// was kept, not written.
        case kept(elements: Int)
        /// The table found at start carries the mark of the one to write; its sets differed by a few elements (one
        /// transaction) or lacked some and held nothing else (transactions of ``fillTransactionLimit`` keys), and
        /// only those were written.
        case mended(elements: Int, added: Int, removed: Int)
        /// Only set elements were written.
        case updated(added: Int, removed: Int)
        /// The write failed (it is retried as a whole-table replace on the next pass).
        case failed(NFTablesError)
    }

    /// The elements the sets must hold.
    public private(set) var tracker: MasqueradeTracker
    /// False until the table is known to match `tracker.elements` less `tracker.pending`.
    public private(set) var inStep = false
    /// The mark of the table found in the kernel (or created with empty sets) before the first pass; used by the
    /// first whole write only.
    private var foundMark: String?
    /// What the sets held when ``prepare()`` found the table, read beside the rest of the start; taken by the first
    /// mend.
    private var readBack: ReadBack = .none
    let nft: any NFTablesRunner
    /// Writes small element changes straight to the kernel and reads the sets back at start; nil sends every change
    /// through `nft` and replaces the table found at start.
    let sets: (any NFTablesSetAccess)?
    /// The thread `sets`' blocking exchanges run on, one at a time: one thread for the process's life, not one per
    /// change.
    private let lane = BlockingLane(name: "nftables")
    /// The most elements one change writes through `sets`: the batch is one datagram.
    public static let directLimit = 512
    /// How long a direct write may take (each of its netlink waits is bounded too).
    static let directDeadline: Duration = .seconds(30)
    /// The most keys one transaction of a fill adds: its batch is one datagram (about 400 KiB at most).
    public static let fillTransactionLimit = 8192
    /// How long filling the sets may take (as long as libnftables may take for a whole-table write).
    static let fillDeadline: Duration = .seconds(60)

    /// A sync writing through `nft`, and small element changes through `sets` when given.
    public init(configuration: MasqueradeConfiguration, nft: any NFTablesRunner, sets: (any NFTablesSetAccess)? = nil) {
        self.tracker = MasqueradeTracker(configuration: configuration)
        self.nft = nft
        self.sets = sets
    }

    /// The configuration.
    public var configuration: MasqueradeConfiguration { tracker.configuration }

    /// Before the first pass: creates the table, its chains and empty sets, when it is missing; a table already
    /// there is left alone (the first pass replaces it in one transaction, elements and all).
    ///
    /// The chains match on conntrack, and the kernel starts tracking a network namespace's connections only once
    /// a rule needs it. Were the table first written after the first pass, a connection IPVS balanced in between
    /// would be untracked, and once tracking started its next packets would be taken for new flows, masqueraded
    /// afresh (the backend answers a source it never saw with a reset) or filtered as new: on a new or rebooted
    /// node the first connections to a Service would break a moment later.
    public mutating func prepare() async -> Action {
        do {
            if let mark = try await nft.mark(ofTable: configuration.table) {
                foundMark = mark
                if mark == NFTablesScript.mark(for: configuration), let sets {
                    let (table, names, lane) = (configuration.table, MasqueradeElement.allSetNames, lane)
                    readBack = .reading(
                        Task {
                            do throws(NFTablesError) {
                                return .success(try await Self.read(names, table, sets, on: lane))
                            } catch {
                                return .failure(error)
                            }
                        })
                }
                return .unchanged
            }
            try await nft.run(NFTablesScript.replace(configuration: configuration, elements: []))
            foundMark = NFTablesScript.mark(for: configuration)
            // Its sets were just created empty, in the same transaction as the table.
            readBack = .empty
            return .replaced(elements: 0)
        } catch {
            return .failed(error)
        }
    }

    /// Brings the table in step after a pass over `touched` virtual servers and `addresses` of the VIP link (nil:
    /// a full pass over all, whose elements are recomputed from the whole desired state). With `checkTable`, or
    /// after a full pass, first asks whether the table is still the one written (its mark: one short listing of the
    /// chains), and writes it whole when it is not: what a periodic resync does, recomputing only what its pass
    /// touched, since the elements follow every pass.
    public mutating func sync(
        _ desired: DesiredState, touched: Set<VirtualServerKey>?, addresses: Set<IPAddress> = [],
        checkTable: Bool = false
    ) async -> Action {
        // A table not in step is written (or mended) whole from the elements: no delta of this pass is read.
        tracker.recordsPending = inStep
        if let touched {
            tracker.update(touched, addresses: addresses, in: desired)
        } else {
            tracker.rebuild(from: desired)
        }
        if touched == nil || checkTable {
            do {
                if inStep, try await nft.mark(ofTable: configuration.table) == nil { inStep = false }
            } catch {
                inStep = false
                return .failed(error)
            }
        }
        let delta = tracker.takePending()
        do {
            if !inStep {
                let found = foundMark
                foundMark = nil
                if let found, found == NFTablesScript.mark(for: configuration), let sets,
                    let action = try await mend(through: sets)
                {
                    inStep = true
                    return action
                }
                try await nft.run(NFTablesScript.replace(configuration: configuration, elements: tracker.elements))
                inStep = true
                return .replaced(elements: tracker.elementCount)
            }
            guard !delta.isEmpty else { return .unchanged }
            if let sets, delta.count <= Self.directLimit, let changes = delta.setChanges() {
                try await Self.write([changes], table: configuration.table, through: sets, on: lane)
            } else if let sets, delta.removed.isEmpty, let changes = delta.setChanges() {
                // Many elements, all new (a pass ahead of the first full one, a large Service appearing): they may
                // go in several transactions, each adding to what the last left.
                try await Self.write(
                    Self.transactions(changes), table: configuration.table, through: sets, on: lane,
                    within: Self.fillDeadline)
            } else {
                try await nft.run(NFTablesScript.update(table: configuration.table, delta: delta))
            }
            return .updated(added: delta.added.count, removed: delta.removed.count)
        } catch {
            inStep = false
            return .failed(error)
        }
    }

    /// Reads the sets of the table found at start back and writes the elements that differ from the tracker's, when
    /// none is in a set of ranges and they are few (at most ``directLimit``) or all to add: the action taken, or nil
    /// when the table is to be replaced whole instead.
    private mutating func mend(through sets: any NFTablesSetAccess) async throws(NFTablesError) -> Action? {
        let names = MasqueradeElement.allSetNames
        let table = configuration.table
        let found: [String: [[UInt8]]]
        switch readBack {
        case .empty: found = [:]
        case .reading(let task): found = try await task.value.get()
        case .none: found = try await Self.read(names, table, sets, on: lane)
        }
        readBack = .none
        // What each set holds (a key read twice counts once); each element wanted takes its key out, so what is left
        // is gone, and a key wanted and not there is new. A key is one element's (every field is in it, and each
        // family has sets of its own), and each is made in one buffer, not in an array of its own.
        var held = names.map { Set((found[$0] ?? []).lazy.map(StoredKey.init)) }
        var new = [[[UInt8]]](repeating: [], count: names.count)
        var key: [UInt8] = []
        key.reserveCapacity(80)
        tracker.forEachElement { element in
            element.storedKey(into: &key)
            if held[element.setSlot].remove(StoredKey(key)) == nil { new[element.setSlot].append(key) }
        }
        var removals: [NFTablesSetChange] = []
        var additions: [NFTablesSetChange] = []
        for (slot, name) in names.enumerated() {
            // A restart's usual case: every key found was wanted, and none is left to add.
            if held[slot].isEmpty && new[slot].isEmpty { continue }
            // Ranges are written by nft's text only.
            if name.hasPrefix("source-admitted") { return nil }
            removals.append(
                NFTablesSetChange(
                    set: name, add: false, keys: held[slot].map(\.bytes).sorted { $0.lexicographicallyPrecedes($1) }))
            additions.append(
                NFTablesSetChange(set: name, add: true, keys: new[slot].sorted { $0.lexicographicallyPrecedes($1) }))
        }
        let (removed, added) = (removals.reduce(0) { $0 + $1.keys.count }, additions.reduce(0) { $0 + $1.keys.count })
        if removed + added == 0 { return .kept(elements: tracker.elementCount) }
        if removed + added <= Self.directLimit {
            try await Self.write([removals + additions], table: table, through: sets, on: lane)
        } else if removed == 0 {
            // Sets to fill (the first pass on a new node: the table was created empty): nothing the kernel holds is
            // taken away, so the elements may go in several transactions, each adding to what the last left.
            try await Self.write(
                Self.transactions(additions), table: table, through: sets, on: lane, within: Self.fillDeadline)
        } else {
            // Many elements to replace: one transaction, the whole table.
            return nil
        }
        return .mended(elements: tracker.elementCount, added: added, removed: removed)
    }

    /// The keys each of `names` holds in `table`, read through `sets` on `lane`.
    private static func read(
        _ names: [String], _ table: String, _ sets: any NFTablesSetAccess, on lane: BlockingLane
    ) async throws(NFTablesError) -> [String: [[UInt8]]] {
        try await run(
            on: lane,
            within: directDeadline, refused: "the sets of table inet \(table) could not be read back",
            late: "the sets of table inet \(table) were not read back within \(directDeadline)"
        ) { () throws(IPVSError) in try sets.keys(table: table, sets: names) }
    }

    /// Writes `transactions` through `sets`, one after another, on `lane` (the netlink exchange blocks).
    private static func write(
        _ transactions: [[NFTablesSetChange]], table: String, through sets: any NFTablesSetAccess,
        on lane: BlockingLane, within deadline: Duration = directDeadline
    ) async throws(NFTablesError) {
        try await run(
            on: lane,
            within: deadline, refused: "the kernel refused the set elements of table inet \(table)",
            late: "the set elements of table inet \(table) were not written within \(deadline)"
        ) { () throws(IPVSError) in
            for transaction in transactions { try sets.apply(table: table, transaction) }
        }
    }

    /// Runs `body`, a blocking netlink exchange, on `lane` for at most `deadline`: the kernel's refusal becomes a
    /// `.rejected` error saying `refused`, no answer in time a `.timeout` saying `late`.
    private static func run<T: Sendable>(
        on lane: BlockingLane, within deadline: Duration, refused: String, late: String,
        _ body: @escaping @Sendable () throws(IPVSError) -> T
    ) async throws(NFTablesError) -> T {
        let outcome: Result<T, IPVSError>? = await lane.run(within: deadline) {
            do throws(IPVSError) {
                return .success(try body())
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let value)?:
            return value
        case .failure(let error)?:
            throw NFTablesError(.rejected, refused, cause: error)
        case nil:
            throw NFTablesError(.timeout, late)
        }
    }

    /// `changes` cut into transactions of at most `limit` keys, in order.
    static func transactions(
        _ changes: [NFTablesSetChange], limit: Int = fillTransactionLimit
    ) -> [[NFTablesSetChange]] {
        var result: [[NFTablesSetChange]] = [[]]
        var room = limit
        for change in changes {
            var keys = change.keys[...]
            while !keys.isEmpty {
                if room == 0 { (result, room) = (result + [[]], limit) }
                let part = keys.prefix(room)
                result[result.count - 1].append(NFTablesSetChange(set: change.set, add: change.add, keys: Array(part)))
                keys = keys.dropFirst(part.count)
                room -= part.count
            }
        }
        return result
    }

    /// A set's key, hashed as one run of bytes: an array of bytes hashes them one at a time, and at 10,000 Services
    /// a restart's check hashes 130,000 keys twice.
    private struct StoredKey: Hashable {
        let bytes: [UInt8]

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }

    /// The sets' keys found at start: not read (the table was replaced whole, or none was found), created empty, or
    /// being read.
    private enum ReadBack {
        case none
        case empty
        case reading(Task<Result<[String: [[UInt8]]], NFTablesError>, Never>)
    }

    /// Removes the table (`run --cleanup`).
    public func cleanup() async throws(NFTablesError) {
        try await nft.run(NFTablesScript.delete(table: configuration.table))
    }
}
