import IPVS

/// Real servers on their way out. A real server that is no longer wanted is first drained (weight 0: no new
/// connections, established ones go on) and deleted once it has no connections left, or when the grace period
/// has passed. UDP and SCTP real servers are deleted at once, as kube-proxy deletes them
/// (`IsRsGracefulTerminationNeeded`): UDP has no connection to finish, and a drained UDP or SCTP real server would
/// keep receiving a client's packets for as long as its IPVS entry lives; with `expire_nodest_conn` the kernel
/// drops those entries on their next packet and the client's retry is scheduled to a live real server.
///
/// Connection counts are read from the kernel, one virtual server at a time: a virtual server with draining real
/// servers is due for a read once `checkInterval` has passed since its last one, or when one of its deadlines has
/// passed, never more often however many passes run (kube-proxy reads its draining real servers once a minute).
/// Kept by virtual server, so forgetting one's real servers costs only what it has draining.
///
/// A plain state machine: the planner asks it what to do, passing the time in, so it is tested without a clock.
public struct GracefulTermination: Sendable, Hashable {
    /// What to do with a departing real server now.
    public enum Decision: Sendable, Hashable {
        /// Set its weight to 0.
        case drain
        /// Leave it drained: it still has connections and the grace period has not passed.
        case wait
        /// Delete it.
        case delete
    }

    /// The draining real servers of one virtual server.
    public struct Draining: Sendable, Hashable {
        /// When each will be deleted at the latest.
        public fileprivate(set) var deadlines: [RealServerEndpoint: ContinuousClock.Instant] = [:]
        /// When its connection counts are next read from the kernel.
        public fileprivate(set) var nextCheck: ContinuousClock.Instant
    }

    /// How long a drained real server may keep its connections before it is deleted anyway.
    public var period: Duration
    /// The least time between two reads of one draining virtual server's connection counts.
    public var checkInterval: Duration
    /// The virtual servers with real servers draining.
    public private(set) var draining: [VirtualServerKey: Draining] = [:]
    /// How many real servers are draining.
    public private(set) var pendingCount = 0
    /// The draining virtual servers read from the kernel for the pass being planned (``checked(_:now:)``): only
    /// their connection counts are fresh. Another draining virtual server may be planned in the same pass (an event
    /// touched it), but the counts known for it are those of its last read, or of no read at all, so it is never
    /// deleted for having none.
    public private(set) var fresh: Set<VirtualServerKey> = []

    /// Graceful termination with the given grace period (`--graceful-period`, 30 s by default), reading a draining
    /// virtual server's connection counts at most once per `checkInterval`.
    public init(period: Duration = .seconds(30), checkInterval: Duration = .seconds(1)) {
        self.period = period
        self.checkInterval = checkInterval
    }

    /// When `ref` will be deleted at the latest, if it is draining.
    public func deadline(of ref: RealServerRef) -> ContinuousClock.Instant? {
        draining[ref.virtualServer]?.deadlines[ref.endpoint]
    }

    /// The earliest deadline (scans every draining real server: for tests and reports, not for each pass).
    public var nextDeadline: ContinuousClock.Instant? { draining.values.compactMap { $0.deadlines.values.min() }.min() }

    /// The virtual servers whose connection counts are due to be read at `now`: their check interval has passed, or
    /// a deadline of theirs has. Costs one look per draining virtual server, without the kernel.
    public func due(now: ContinuousClock.Instant) -> Set<VirtualServerKey> {
        Set(draining.lazy.filter { Self.isDue($0.value, now: now) }.map(\.key))
    }

    /// When the next virtual server is due (``due(now:)``); nil when nothing drains. One look per draining real
    /// server.
    public var nextDue: ContinuousClock.Instant? {
        draining.values.lazy.map { entry in entry.deadlines.values.reduce(entry.nextCheck, min) }.min()
    }

    /// True when some virtual server is due (``due(now:)``), stopping at the first.
    public func hasDue(now: ContinuousClock.Instant) -> Bool {
        draining.values.contains { Self.isDue($0, now: now) }
    }

    private static func isDue(_ entry: Draining, now: ContinuousClock.Instant) -> Bool {
        entry.nextCheck <= now || entry.deadlines.values.contains { $0 <= now }
    }

    /// Notes that these virtual servers' connection counts were read at `now`, for the pass about to be planned:
    /// they are its ``fresh`` ones, and are due again one interval later.
    public mutating func checked(_ keys: some Sequence<VirtualServerKey>, now: ContinuousClock.Instant) {
        fresh = []
        for key in keys where draining[key] != nil {
            draining[key]?.nextCheck = now.advanced(by: checkInterval)
            fresh.insert(key)
        }
    }

    /// Decides what to do with a real server the kernel has but the cluster no longer wants, from `current` as last
    /// read (a drained one is deleted for having no connections only if its virtual server is ``fresh``, or was not
    /// draining yet: found drained at start).
    public mutating func decide(
        _ ref: RealServerRef,
        current: KnownRealServer,
        now: ContinuousClock.Instant
    ) -> Decision {
        if !Self.drains(ref.virtualServer) {
            forget(ref)
            return .delete
        }
        let deadline = self.deadline(of: ref) ?? now.advanced(by: period)
        let stale = draining[ref.virtualServer] != nil && !fresh.contains(ref.virtualServer)
        let idle = !stale && current.activeConnections + current.inactiveConnections == 0
        if current.server.weight == 0, idle || now >= deadline {
            forget(ref)
            return .delete
        }
        set(ref, deadline: deadline, now: now)
        return current.server.weight != 0 ? .drain : .wait
    }

    /// Whether a virtual server's departing real servers are drained first: not for UDP and SCTP.
    static func drains(_ key: VirtualServerKey) -> Bool {
        switch key {
        case .service(.udp, _, _), .service(.sctp, _, _): false
        default: true
        }
    }

    /// Forgets a real server: it is wanted again (and restored), or it is gone.
    public mutating func forget(_ ref: RealServerRef) {
        guard draining[ref.virtualServer]?.deadlines.removeValue(forKey: ref.endpoint) != nil else { return }
        pendingCount -= 1
        if draining[ref.virtualServer]?.deadlines.isEmpty == true { draining[ref.virtualServer] = nil }
    }

    /// Forgets every real server of a virtual server (it is gone, or no longer the proxy's).
    public mutating func forgetAll(of key: VirtualServerKey) {
        guard let entry = draining.removeValue(forKey: key) else { return }
        pendingCount -= entry.deadlines.count
    }

    /// Forgets the real servers of `key` that the kernel no longer has (deleted behind the proxy's back): nothing
    /// is left to drain, and a deadline kept for them would keep the virtual server due for ever.
    public mutating func keepOnly(_ key: VirtualServerKey, present: (RealServerEndpoint) -> Bool) {
        guard let entry = draining[key] else { return }
        for endpoint in entry.deadlines.keys where !present(endpoint) { forget(RealServerRef(key, endpoint)) }
    }

    private mutating func set(_ ref: RealServerRef, deadline: ContinuousClock.Instant, now: ContinuousClock.Instant) {
        let key = ref.virtualServer
        if draining[key] == nil { draining[key] = Draining(nextCheck: now.advanced(by: checkInterval)) }
        if draining[key]?.deadlines.updateValue(deadline, forKey: ref.endpoint) == nil { pendingCount += 1 }
    }
}
