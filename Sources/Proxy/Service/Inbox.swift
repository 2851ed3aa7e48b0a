import Health
import Kube
import Synchronization

/// Where the proxy's inputs wait for the reconcile loop. Producers push; the loop takes everything that has
/// accumulated at once, so a burst of changes becomes one planning pass with no added delay.
final class Inbox: Sendable {
    /// One input.
    enum Input: Sendable {
        /// An event from the object source.
        case event(SourceEvent)
        /// The object source's stream ended.
        case sourceEnded
        /// A clock tick: time to check draining real servers and whether a periodic resync is due.
        case tick
        /// A probed endpoint changed status.
        case health(HealthTransition)
    }

    private let buffer = Mutex<[(input: Input, at: ContinuousClock.Instant)]>([])
    private let continuation: AsyncStream<Void>.Continuation
    /// Yields whenever inputs are waiting (several pushes may yield once).
    let signals: AsyncStream<Void>

    init() {
        (signals, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Adds an input and wakes the loop.
    func push(_ input: Input) {
        let now = ContinuousClock.now
        buffer.withLock { $0.append((input, now)) }
        continuation.yield()
    }

    /// Takes every waiting input.
    func take() -> [Input] { takeStamped().map(\.input) }

    /// Takes every waiting input with the time it was pushed.
    func takeStamped() -> [(input: Input, at: ContinuousClock.Instant)] {
        buffer.withLock { inputs in
            defer { inputs.removeAll(keepingCapacity: true) }
            return inputs
        }
    }

    /// Ends the signal stream.
    func finish() { continuation.finish() }
}
