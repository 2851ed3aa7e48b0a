/// client-go's client-side rate limit (`flowcontrol.NewTokenBucketRateLimiter`, over golang.org/x/time/rate):
/// a bucket of `burst` tokens, full at first, refilled at `qps` tokens a second; each request takes one token,
/// and a request that finds the bucket empty waits until its token has accrued. Pure: time is given.
public struct TokenBucket: Sendable, Hashable {
    /// Tokens per second.
    public let qps: Double
    /// The bucket's size.
    public let burst: Int
    private var tokens: Double
    private var last: Duration?

    /// A full bucket. `qps` must be more than 0 and `burst` at least 1 (``RequestRateLimit`` checks).
    public init(qps: Double, burst: Int) {
        self.qps = qps
        self.burst = burst
        self.tokens = Double(burst)
    }

    /// Takes a token for a request made at `now` (any monotonic time, as an offset from a fixed start) and
    /// returns how long the request must wait first (zero when a token was there).
    public mutating func reserve(at now: Duration) -> Duration {
        refill(at: now)
        tokens -= 1
        guard tokens < 0 else { return .zero }
        return .nanoseconds(Int64((-tokens / qps * 1e9).rounded(.up)))
    }

    /// Takes a token at `now` if one is there, without going into debt: false means the caller drops what it
    /// wanted to do (the event recorder's limit), rather than waiting.
    public mutating func take(at now: Duration) -> Bool {
        refill(at: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    private mutating func refill(at now: Duration) {
        if let last, now > last {
            tokens = min(Double(burst), tokens + Self.seconds(now - last) * qps)
        }
        if last.map({ now > $0 }) ?? true { last = now }
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

/// `clientConnection.qps` and `burst` as client-go reads them: qps 0 means 5, burst 0 means 10 (client-go's
/// defaults, and kube-proxy's); a negative qps turns the limit off.
public struct RequestRateLimit: Sendable, Hashable {
    /// Requests a second; nil: unlimited.
    public var qps: Double?
    /// The burst.
    public var burst: Int

    /// client-go's defaults: 5 a second, bursts of 10.
    public static let clientGoDefault = RequestRateLimit(qps: 5, burst: 10)

    /// The limit for kube-proxy's `qps` and `burst` values.
    public init(qps: Double?, burst: Int) {
        switch qps {
        case nil, 0: self.qps = 5
        case let value? where value < 0: self.qps = nil
        case let value?: self.qps = value
        }
        self.burst = burst <= 0 ? 10 : burst
    }
}

/// Makes requests wait their turn in a shared ``TokenBucket``, with the clock's time and sleep.
public actor RequestRateLimiter<C: Clock> where C.Duration == Duration {
    private var bucket: TokenBucket?
    private let clock: C
    private let start: C.Instant

    /// A limiter for `limit` on `clock`.
    public init(_ limit: RequestRateLimit, clock: C) {
        self.bucket = limit.qps.map { TokenBucket(qps: $0, burst: limit.burst) }
        self.clock = clock
        self.start = clock.now
    }

    /// Returns when the request may be sent; throws CancellationError if the task is cancelled meanwhile.
    public func wait() async throws {
        guard var bucket else { return }
        let delay = bucket.reserve(at: start.duration(to: clock.now))
        self.bucket = bucket
        if delay > .zero { try await clock.sleep(for: delay) }
    }
}
