import Synchronization

@testable import Proxy

/// Records the nftables input it is given; can be told to refuse it, or that the table is gone.
final class FakeNFTables: NFTables {
    struct State {
        var scripts: [String] = []
        var refuse = false
        var tableExists = false
    }
    let state = Mutex(State())

    var scripts: [String] { state.withLock { $0.scripts } }
    func refuse(_ value: Bool) { state.withLock { $0.refuse = value } }
    func dropTable() { state.withLock { $0.tableExists = false } }

    func run(_ script: String) throws(NFTablesError) {
        let refused = state.withLock { state -> Bool in
            if state.refuse { return true }
            state.scripts.append(script)
            if script.contains("delete table") { state.tableExists = script.contains("{") }
            return false
        }
        if refused { throw NFTablesError(code: .rejected, message: "refused by the test") }
    }

    func hasTable(_ name: String) throws(NFTablesError) -> Bool { state.withLock { $0.tableExists } }
}
