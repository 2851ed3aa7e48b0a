import Values
import IPVS
import NFTables

/// Keeps the proxy's nftables table in step with the desired state, writing only when something changed.
///
/// The first pass, and the first after a failure or after the table was found missing, replaces the whole table
/// in one transaction; at start, a table already in the kernel that carries the mark of the one to write (the
/// same text, written by an earlier run) is kept as it is, so an unchanged restart writes nothing. Otherwise a
/// pass writes only the set elements that changed since the last successful write, also in one transaction; with
/// nothing changed, nothing is run. The periodic full pass recomputes every
/// virtual server and checks that the table is still there.
public struct MasqueradeSync: Sendable {
    /// What one pass did.
    public enum Action: Sendable, Equatable {
        /// Nothing changed; nothing was run.
        case unchanged
        /// The whole table was written, with this many set elements.
        case replaced(elements: Int)
        /// The table found at start carries the mark of the one to write: it was kept, not written.
        case kept(elements: Int)
        /// Only set elements were written.
        case updated(added: Int, removed: Int)
        /// The write failed (it is retried as a whole-table replace on the next pass).
        case failed(NFTablesError)
    }

    /// The elements the sets must hold.
    public private(set) var tracker: MasqueradeTracker
    /// False until the table is known to match `tracker.elements` less `tracker.pending`.
    public private(set) var inStep = false
    /// The mark of the table found in the kernel before the first pass; used by the first whole write only.
    private var foundMark: String?
    let nft: any NFTablesRunner

    /// A sync writing through `nft`.
    public init(configuration: MasqueradeConfiguration, nft: any NFTablesRunner) {
        self.tracker = MasqueradeTracker(configuration: configuration)
        self.nft = nft
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
                return .unchanged
            }
            try await nft.run(NFTablesScript.replace(configuration: configuration, elements: []))
            return .replaced(elements: 0)
        } catch {
            return .failed(error)
        }
    }

    /// Brings the table in step after a pass over `touched` virtual servers and `addresses` of the VIP link (nil:
    /// a full pass over all).
    public mutating func sync(
        _ desired: DesiredState, touched: Set<VirtualServerKey>?, addresses: Set<IPAddress> = []
    ) async -> Action {
        if let touched {
            tracker.update(touched, addresses: addresses, in: desired)
        } else {
            tracker.rebuild(from: desired)
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
                let script = NFTablesScript.replace(configuration: configuration, elements: tracker.elements)
                let found = foundMark
                foundMark = nil
                inStep = found != nil && found == NFTablesScript.mark(in: script)
                if inStep { return .kept(elements: tracker.elementCount) }
                try await nft.run(script)
                inStep = true
                return .replaced(elements: tracker.elementCount)
            }
            guard !delta.isEmpty else { return .unchanged }
            try await nft.run(NFTablesScript.update(table: configuration.table, delta: delta))
            return .updated(added: delta.added.count, removed: delta.removed.count)
        } catch {
            inStep = false
            return .failed(error)
        }
    }

    /// Removes the table (`run --cleanup`).
    public func cleanup() async throws(NFTablesError) {
        try await nft.run(NFTablesScript.delete(table: configuration.table))
    }
}
