/// client-go's reflector backoff (`wait.Backoff{Duration: 800ms, Cap: 30s, Factor: 2, Jitter: 1}` behind
/// `DelayWithReset(clock, 2m)`): the n-th consecutive failure waits a random time in [d, d·(1 + jitter)) where
/// d = min(cap, initial · factorⁿ), so 0.8–1.6 s, 1.6–3.2 s, ... and then 30–60 s for as long as failures go on.
///
/// Failures count as consecutive until the watcher has gone ``resetAfter`` without asking for a delay (measured from
/// the end of the last delay): only a healthy period resets it, never one successful request in a storm. (client-go's
/// `backoffManager` resets every 2 minutes since its last reset, even mid-failure; this one stays at its cap while
/// failures go on, so a broken API server sees at most one request per 30 s from each resource.) Pure: time is given.
public struct Backoff: Sendable, Hashable {
    /// The first delay's base.
    public var initial: Duration
    /// The largest base.
    public var cap: Duration
    /// The base's growth per failure.
    public var factor: Double
    /// The random extra, as a fraction of the base: 1 makes each delay uniform in [base, 2·base).
    public var jitter: Double
    /// A period without failures that resets the count.
    public var resetAfter: Duration
    /// Consecutive failures so far.
    public private(set) var failures: Int = 0
    /// When the last delay ended (nil before the first failure or after ``reset()``).
    public private(set) var lastDelayEnd: Duration?

    /// client-go's defaults: 800 ms, 30 s, factor 2, jitter 1, reset after 2 minutes healthy.
    public init(
        initial: Duration = .milliseconds(800), cap: Duration = .seconds(30), factor: Double = 2, jitter: Double = 1,
        resetAfter: Duration = .seconds(120)
    ) {
        self.initial = initial
        self.cap = max(cap, initial)
        self.factor = max(factor, 1)
        self.jitter = max(jitter, 0)
        self.resetAfter = resetAfter
    }

    /// The base of the next delay (before jitter), if no reset comes first.
    public var currentBase: Duration {
        var base = initial
        for _ in 0..<min(failures, 64) {
            base = base * factor
            if base >= cap { return cap }
        }
        return min(base, cap)
    }

    /// Records a failure at `now` (any monotonic reading, as an offset from a fixed start) and returns how long to
    /// wait before retrying. A failure more than ``resetAfter`` after the last delay ended starts the count over.
    public mutating func next(at now: Duration, using generator: inout some RandomNumberGenerator) -> Duration {
        if let lastDelayEnd, now - lastDelayEnd >= resetAfter { failures = 0 }
        let base = currentBase
        failures += 1
        let delay = base + base * (jitter * Double.random(in: 0..<1, using: &generator))
        lastDelayEnd = now + delay
        return delay
    }

    /// Forgets past failures.
    public mutating func reset() {
        failures = 0
        lastDelayEnd = nil
    }
}
