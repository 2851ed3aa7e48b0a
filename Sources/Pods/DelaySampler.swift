import Values

/// A delay distribution with its seeded generator, shared by every connection of one server. The distribution
/// can be changed while the server runs (a pod that slows down midway).
public final class DelaySampler: Sendable {
    private struct State {
        var distribution: DelayDistribution
        var generator: SeededRandomNumberGenerator
    }

    private let state: Locked<State>

    /// Makes a sampler; the same seed gives the same sequence of delays.
    public init(_ distribution: DelayDistribution, seed: UInt64) {
        state = Locked(State(distribution: distribution, generator: SeededRandomNumberGenerator(seed: seed)))
    }

    /// The current distribution.
    public var distribution: DelayDistribution {
        get { state.withLock { $0.distribution } }
        set { state.withLock { $0.distribution = newValue } }
    }

    /// Draws the next delay.
    public func next() -> Duration {
        state.withLock { $0.distribution.sample(using: &$0.generator) }
    }
}
