import Values
import NFTables

/// The tests' one `nft`: records the nftables input it is given; can be told to refuse it, or that the table is
/// gone.
public final class FakeNFTables: NFTablesRunner {
    struct State {
        var scripts: [String] = []
        var refuse = false
        var tableExists = false
    }
    private let state = Locked(State())

    /// An `nft` that takes everything.
    public init() {}

    /// The scripts run so far, in order.
    public var scripts: [String] { state.withLock { $0.scripts } }
    /// Makes it refuse every script (as `nft` refusing a ruleset), or take them again.
    public func refuse(_ value: Bool) { state.withLock { $0.refuse = value } }
    /// Forgets the table, as if someone had deleted it.
    public func dropTable() { state.withLock { $0.tableExists = false } }

    public func run(_ script: String) async throws(NFTablesError) {
        let refused = state.withLock { state -> Bool in
            if state.refuse { return true }
            state.scripts.append(script)
            if script.contains("delete table") { state.tableExists = script.contains("{") }
            return false
        }
        if refused { throw NFTablesError(.rejected, "refused by the test") }
    }

    public func hasTable(_ name: String) async throws(NFTablesError) -> Bool { state.withLock { $0.tableExists } }
}
