@testable import Proxy

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
