import NFTables
import Synchronization

@testable import Proxy

/// Records the nftables input it is given; can be told to refuse it, or that the table is gone.
final class FakeNFTables: NFTablesRunner {
    struct State {
        var scripts: [String] = []
        var refuse = false
        var tableExists = false
    }
    let state = Mutex(State())

    var scripts: [String] { state.withLock { $0.scripts } }
    func refuse(_ value: Bool) { state.withLock { $0.refuse = value } }
    func dropTable() { state.withLock { $0.tableExists = false } }

    func run(_ script: String) async throws(NFTablesError) {
        let refused = state.withLock { state -> Bool in
            if state.refuse { return true }
            state.scripts.append(script)
            if script.contains("delete table") { state.tableExists = script.contains("{") }
            return false
        }
        if refused { throw NFTablesError(.rejected, "refused by the test") }
    }

    func hasTable(_ name: String) async throws(NFTablesError) -> Bool { state.withLock { $0.tableExists } }
}

/// The reconcile loop with observers, as `ProxyService` runs it: each batch's reports go to the observers before
/// the next batch.
struct ObservedLoop {
    var loop: ReconcileLoop
    var observers: [any ReconcileObserver]

    @discardableResult
    mutating func handle(
        _ inputs: [Inbox.Input], now: ContinuousClock.Instant, seen: [ContinuousClock.Instant] = []
    ) async throws -> ReconcileLoop.Outcome {
        let outcome = try loop.handle(inputs, now: now, seen: seen)
        await observers.deliver(outcome.reports)
        return outcome
    }
}
