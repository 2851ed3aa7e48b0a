import Values
import NFTables
import Proxy

/// The tests' one `nft`: records the nftables input it is given; can be told to refuse it, or that the table is
/// gone.
public final class FakeNFTables: NFTablesRunner {
    struct State {
        var scripts: [String] = []
        var refuse = false
        /// The mark of the table in the kernel; nil when there is none.
        var mark: String?
    }
    private let state = Locked(State())

    /// An `nft` that takes everything.
    public init() {}

    /// The scripts run so far, in order.
    public var scripts: [String] { state.withLock { $0.scripts } }
    /// Makes it refuse every script (as `nft` refusing a ruleset), or take them again.
    public func refuse(_ value: Bool) { state.withLock { $0.refuse = value } }
    /// Forgets the table, as if someone had deleted it.
    public func dropTable() { state.withLock { $0.mark = nil } }
    /// Puts a table with this mark in place, as an earlier run would have left it.
    public func place(mark: String) { state.withLock { $0.mark = mark } }

    public func run(_ script: String) async throws(NFTablesError) {
        let refused = state.withLock { state -> Bool in
            if state.refuse { return true }
            state.scripts.append(script)
            if script.contains("delete table") {
                state.mark = script.contains("{") ? NFTablesScript.mark(in: script) ?? "" : nil
            }
            return false
        }
        if refused { throw NFTablesError(.rejected, "refused by the test") }
    }

    public func mark(ofTable name: String) async throws(NFTablesError) -> String? { state.withLock { $0.mark } }
}
