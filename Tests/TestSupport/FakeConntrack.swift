import Values
import Glibc
import IPVS

/// A conntrack table in memory, behind the cleaner's seam (`ConntrackCleaning`): it holds flows, deletes those the
/// caller finds stale, and can be told to fail or to hold a cleanup until released.
public final class FakeConntrack: ConntrackCleaning {
    private struct State {
        var flows: [ConntrackFlow]
        var failure: IPVSError?
        var held = false
        var holding = false
        var cleanups = 0
    }

    private let state: Locked<State>

    /// A table holding `flows`.
    public init(_ flows: [ConntrackFlow] = []) {
        state = Locked(State(flows: flows))
    }

    /// The flows left.
    public var flows: [ConntrackFlow] { state.withLock { $0.flows } }
    /// Cleanups started.
    public var cleanups: Int { state.withLock { $0.cleanups } }
    /// True while a cleanup waits for `release`.
    public var isHolding: Bool { state.withLock { $0.holding } }

    /// Makes reading the table fail with `error` (nil: succeed again).
    public func fail(with error: IPVSError?) { state.withLock { $0.failure = error } }

    /// Holds every cleanup until `release` (a table that does not answer).
    public func hold() { state.withLock { $0.held = true } }

    /// Lets held cleanups go on.
    public func release() { state.withLock { $0.held = false } }

    public func deleteFlows(
        limit: Int, deadline: ContinuousClock.Instant, where isStale: (ConntrackFlow) -> Bool
    ) throws -> ConntrackCleanupResult {
        state.withLock { $0.cleanups += 1 }
        while state.withLock({ state in
            state.holding = state.held && ContinuousClock.now < deadline
            return state.holding
        }) {
            usleep(1000)
        }
        return try state.withLock { state in
            if let failure = state.failure { throw failure }
            let stale = state.flows.filter(isStale)
            let deleted = Array(stale.prefix(limit))
            state.flows.removeAll { deleted.contains($0) }
            return ConntrackCleanupResult(
                examined: state.flows.count + deleted.count, stale: stale.count, deleted: deleted.count,
                leftOver: stale.count - deleted.count)
        }
    }
}
