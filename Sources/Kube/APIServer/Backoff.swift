/// Capped exponential backoff with jitter: the n-th consecutive failure waits a random time in
/// [d/2, d] where d = min(cap, initial · 2ⁿ). ``reset()`` after a success.
public struct Backoff: Sendable, Hashable {
    /// The first delay's upper bound.
    public var initial: Duration
    /// The largest delay's upper bound.
    public var cap: Duration
    /// Consecutive failures so far.
    public private(set) var failures: Int = 0

    /// Creates a backoff (client-go uses about 0.8 s and 30 s).
    public init(initial: Duration = .milliseconds(800), cap: Duration = .seconds(30)) {
        self.initial = initial
        self.cap = cap
    }

    /// The upper bound of the next delay (before jitter).
    public var currentBound: Duration {
        var bound = initial
        for _ in 0..<min(failures, 40) {
            bound = bound * 2
            if bound >= cap { return cap }
        }
        return min(bound, cap)
    }

    /// Records a failure and returns how long to wait before retrying.
    public mutating func next(using generator: inout some RandomNumberGenerator) -> Duration {
        let bound = currentBound
        failures += 1
        let half = bound / 2
        let jitter = Double.random(in: 0...1, using: &generator)
        return half + half * jitter
    }

    /// Records a failure and returns how long to wait, with the system random generator.
    public mutating func next() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return next(using: &generator)
    }

    /// Forgets past failures.
    public mutating func reset() { failures = 0 }
}
