import Values
import Kube

/// Simulated time for the API-server source: a sleep returns at once and moves the clock past it (recording what was
/// asked), and the test (or the fault-injecting server) moves it on as it likes. Rates are counted per simulated time,
/// so backoff is tested without real sleeping and without timed assertions.
public final class SimulatedClock: SourceClock {
    private struct State {
        var now: Duration = .zero
        var sleeps: [Duration] = []
    }
    private let state = Locked(State())

    public init() {}

    /// Simulated time since the start.
    public var now: Duration { state.withLock { $0.now } }

    /// Every sleep asked, in order.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    /// Moves time on.
    public func advance(by duration: Duration) { state.withLock { $0.now += duration } }

    /// Records the sleep and moves time past it; throws if the task is cancelled.
    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        state.withLock { state in
            state.sleeps.append(duration)
            state.now += max(duration, .zero)
        }
        await Task.yield()
        try Task.checkCancellation()
    }
}
