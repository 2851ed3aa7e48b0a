/// Time as the API-server source sees it: a monotonic reading and a cancellable sleep. Every wait of the watcher
/// (backoff, Retry-After, the client-side rate limit) and every duration it measures (how long a watch lasted) goes
/// through it, so tests run on simulated time and never sleep for real.
public protocol SourceClock: Sendable {
    /// Time since a fixed start.
    var now: Duration { get }
    /// Waits `duration`; throws `CancellationError` when the task is cancelled meanwhile.
    func sleep(for duration: Duration) async throws
}

/// The real clock (`ContinuousClock`).
public struct SystemSourceClock: SourceClock {
    private let start = ContinuousClock.now

    /// Starts now.
    public init() {}

    /// Time since this clock was made.
    public var now: Duration { ContinuousClock.now - start }

    /// Sleeps on `ContinuousClock`.
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// A ``SourceClock`` as a Swift `Clock`, for ``RequestRateLimiter``.
public struct SourceClockAdapter: Clock {
    /// An instant: the source clock's reading.
    public struct Instant: InstantProtocol {
        /// Time since the source clock's start.
        public var offset: Duration
        /// The instant `duration` later.
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        /// The time from this instant to `other`.
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        /// Earlier first.
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    /// The clock adapted.
    public let base: any SourceClock

    /// Adapts `base`.
    public init(_ base: any SourceClock) { self.base = base }

    /// The current reading.
    public var now: Instant { Instant(offset: base.now) }
    /// One nanosecond.
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// Sleeps on the source clock until `deadline`.
    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let remaining = deadline.offset - base.now
        if remaining > .zero { try await base.sleep(for: remaining) }
    }
}
