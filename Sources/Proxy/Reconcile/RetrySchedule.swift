import IPVS

/// When the virtual servers whose operations failed are tried again. Pure.
///
/// A virtual server the kernel refused is retried with capped exponential backoff of its own (by default 1 s, 2 s,
/// 4 s, ... up to 5 minutes), so one Service the kernel will not take costs a few attempts an hour instead of one a
/// second. Its backoff starts afresh when its desired state changes (the Service or its endpoints were edited: the
/// edit is tried at once) and ends when an attempt succeeds. While it waits it is left out of every pass, the
/// periodic full one included; nothing else waits for it. A failure of the netlink exchange itself (`transport`,
/// `timeout`: the kernel never answered) is not the Service's fault and is retried after the initial delay,
/// without growing.
public struct RetrySchedule: Sendable, Hashable {
    /// The backoff's shape.
    public struct Backoff: Sendable, Hashable {
        /// The wait after the first refusal.
        public var initial: Duration
        /// The longest wait.
        public var cap: Duration

        /// A backoff from `initial`, doubling up to `cap`.
        public init(initial: Duration = .seconds(1), cap: Duration = .seconds(300)) {
            self.initial = initial
            self.cap = max(cap, initial)
        }

        /// The wait after `refusals` refusals in a row (1 or more): `initial` × 2^(refusals − 1), at most `cap`.
        public func delay(afterRefusals refusals: Int) -> Duration {
            var delay = initial
            for _ in 1..<max(refusals, 1) {
                delay *= 2
                if delay >= cap { return cap }
            }
            return min(delay, cap)
        }
    }

    /// One virtual server waiting for its next attempt.
    public struct Entry: Sendable, Hashable {
        /// Refusals in a row (0 when only the exchange failed).
        public var refusals: Int
        /// When the next attempt is due.
        public var due: ContinuousClock.Instant
        /// What it was wanted as at the failed attempt (nil: it was to be deleted). Another desired state is tried
        /// at once, with the backoff started afresh.
        public var desired: DesiredVirtualServer?
        /// The failed operations of the last attempt, with the kernel's answers.
        public var errors: [IPVSOperation: IPVSError]
        /// The code of its first failed operation, in the plan's order: the reason metrics count it under.
        public var reason: IPVSErrorCode
    }

    /// The backoff's shape.
    public var backoff: Backoff
    /// The virtual servers waiting, by key.
    public private(set) var entries: [VirtualServerKey: Entry] = [:]

    /// An empty schedule.
    public init(backoff: Backoff = Backoff()) {
        self.backoff = backoff
    }

    /// True when nothing waits.
    public var isEmpty: Bool { entries.isEmpty }

    /// The virtual servers to leave out of a pass at `now`: waiting, not yet due, and still wanted as when they
    /// failed.
    public func held(_ desired: DesiredState, now: ContinuousClock.Instant) -> Set<VirtualServerKey> {
        Set(entries.filter { key, entry in entry.due > now && entry.desired == desired.virtualServers[key] }.keys)
    }

    /// The virtual servers to try in a pass at `now`: due, or wanted otherwise than when they failed.
    public func due(_ desired: DesiredState, now: ContinuousClock.Instant) -> Set<VirtualServerKey> {
        Set(entries.keys).subtracting(held(desired, now: now))
    }

    /// The earliest time an entry is due; nil when nothing waits.
    public var nextDue: ContinuousClock.Instant? { entries.values.map(\.due).min() }

    /// Records a failed attempt on `key` at `now`, wanted as `desired`, with `errors` (its failed operations in the
    /// plan's order). Returns true when the failure is news, to be reported: the first since the virtual server
    /// was last programmed or its desired state changed, or different answers from the kernel than last time.
    @discardableResult
    public mutating func failed(
        _ key: VirtualServerKey, errors: [(IPVSOperation, IPVSError)], desired: DesiredVirtualServer?,
        now: ContinuousClock.Instant
    ) -> Bool {
        let previous = entries[key].flatMap { $0.desired == desired ? $0 : nil }
        let byOperation = Dictionary(errors, uniquingKeysWith: { first, _ in first })
        let exchangeOnly = errors.allSatisfy { $0.1.isExchangeFailure }
        let refusals = (previous?.refusals ?? 0) + (exchangeOnly ? 0 : 1)
        let delay = exchangeOnly ? backoff.initial : backoff.delay(afterRefusals: refusals)
        entries[key] = Entry(
            refusals: refusals, due: now + delay, desired: desired, errors: byOperation,
            reason: errors.first?.1.code ?? previous?.reason ?? .other)
        return previous == nil || previous?.errors != byOperation
    }

    /// Puts off the next attempt on a waiting `key` (say, it could not be read back from the kernel) by its
    /// current delay, keeping what is known of it.
    public mutating func postpone(_ key: VirtualServerKey, now: ContinuousClock.Instant) {
        guard let entry = entries[key] else { return }
        entries[key]?.due = now + backoff.delay(afterRefusals: max(entry.refusals, 1))
    }

    /// An attempt on `key` succeeded (or found nothing left to do): it no longer waits.
    public mutating func succeeded(_ key: VirtualServerKey) {
        entries[key] = nil
    }
}
