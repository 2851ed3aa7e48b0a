import Foundation

/// What client-go's event broadcaster (k8s.io/client-go/tools/events) decides before writing, for one reporting
/// instance (a node). Pure: times are given.
///
/// - Deduplication: events with the same regarded object, type, reason, action and note are one Event object;
///   the first is created, each repeat becomes a PATCH of that object's `series` (`count`, `lastObservedTime`).
///   An event not seen for ``Limits/finishAfter`` (client-go's 6 minutes) is forgotten: the next one is a new
///   Event.
/// - Rate limit: every write (create or patch) takes a token from one ``TokenBucket`` for the node; a write that
///   finds the bucket empty is dropped, never waited for. A dropped repeat still counts in its series, so the next
///   patch that goes carries the whole count.
public struct EventCorrelator: Sendable {
    /// The limits.
    public struct Limits: Sendable, Hashable {
        /// Writes a node may make at once (client-go's spam filter: 25).
        public var burst = 25
        /// Writes a second once the burst is spent (one every 10 s).
        public var qps = 0.1
        /// How long an event stays known after it was last seen (client-go's `finishTime`, 6 minutes).
        public var finishAfter: Duration = .seconds(360)
        /// The most events remembered; beyond it the least recently seen is forgotten.
        public var capacity = 4096

        /// The defaults.
        public init() {}
    }

    /// What to write.
    public enum Decision: Sendable, Hashable {
        /// POST a new Event.
        case create(EventObject)
        /// PATCH the Event `name` in `namespace` with this series.
        case patch(namespace: String, name: String, EventSeriesPatch)
        /// Nothing: the node's token bucket is empty.
        case rateLimited
    }

    struct Entry: Sendable {
        var namespace: String
        var name: String
        var count: Int
        var lastSeen: Duration
    }

    /// The limits in use.
    public let limits: Limits
    let controller: String
    let instance: String
    private var bucket: TokenBucket
    private var known: [KubeEvent: Entry] = [:]

    /// A correlator for events reported by `controller` on `instance` (the node's name).
    public init(controller: String, instance: String, limits: Limits = Limits()) {
        self.limits = limits
        self.controller = controller
        self.instance = instance
        self.bucket = TokenBucket(qps: limits.qps, burst: max(1, limits.burst))
    }

    /// The events remembered.
    public var count: Int { known.count }

    /// Decides what to write for `event`, seen at `now` (monotonic) and `wallTime`.
    public mutating func decide(_ event: KubeEvent, now: Duration, wallTime: Date) -> Decision {
        forgetFinished(now: now)
        if var entry = known[event] {
            entry.count += 1
            entry.lastSeen = now
            known[event] = entry
            guard bucket.take(at: now) else { return .rateLimited }
            let series = EventSeriesPatch.Series(count: entry.count, lastObservedTime: EventObject.microTime(wallTime))
            return .patch(namespace: entry.namespace, name: entry.name, EventSeriesPatch(series: series))
        }
        guard bucket.take(at: now) else { return .rateLimited }
        let object = EventObject(event, time: wallTime, controller: controller, instance: instance)
        if known.count >= limits.capacity, let oldest = known.min(by: { $0.value.lastSeen < $1.value.lastSeen }) {
            known[oldest.key] = nil
        }
        known[event] = Entry(namespace: object.metadata.namespace, name: object.metadata.name, count: 1, lastSeen: now)
        return .create(object)
    }

    /// Forgets `event` (its Event could not be written, or is gone): the next one is created anew.
    public mutating func forget(_ event: KubeEvent) {
        known[event] = nil
    }

    private mutating func forgetFinished(now: Duration) {
        known = known.filter { now - $0.value.lastSeen < limits.finishAfter }
    }
}
