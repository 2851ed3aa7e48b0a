import IPVS

/// Real servers on their way out. A real server that is no longer wanted is first drained (weight 0: no new
/// connections, established ones go on) and deleted once it has no connections left, or when the grace period
/// has passed. UDP and SCTP real servers are deleted at once, as kube-proxy deletes them
/// (`IsRsGracefulTerminationNeeded`): UDP has no connection to finish, and a drained UDP or SCTP real server would
/// keep receiving a client's packets for as long as its IPVS entry lives; with `expire_nodest_conn` the kernel
/// drops those entries on their next packet and the client's retry is scheduled to a live real server.
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

    /// How long a drained real server may keep its connections before it is deleted anyway.
    public var period: Duration
    /// When each departing real server will be deleted at the latest.
    public private(set) var deadlines: [RealServerRef: ContinuousClock.Instant] = [:]

    /// Graceful termination with the given grace period (`--graceful-period`, 30 s by default).
    public init(period: Duration = .seconds(30)) {
        self.period = period
    }

    /// How many real servers are draining.
    public var pendingCount: Int { deadlines.count }

    /// The earliest deadline: when the next pass must run, if nothing else triggers one before.
    public var nextDeadline: ContinuousClock.Instant? { deadlines.values.min() }

    /// Decides what to do with a real server the kernel has but the cluster no longer wants.
    public mutating func decide(
        _ ref: RealServerRef,
        current: RealServerState,
        now: ContinuousClock.Instant
    ) -> Decision {
        if !Self.drains(ref.virtualServer) {
            deadlines[ref] = nil
            return .delete
        }
        let deadline = deadlines[ref] ?? now.advanced(by: period)
        if current.server.weight != 0 {
            deadlines[ref] = deadline
            return .drain
        }
        if current.activeConnections + current.inactiveConnections == 0 || now >= deadline {
            deadlines[ref] = nil
            return .delete
        }
        deadlines[ref] = deadline
        return .wait
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
        deadlines[ref] = nil
    }

    /// Forgets every real server of a virtual server (the virtual server is gone).
    public mutating func forgetAll(of key: VirtualServerKey) {
        deadlines = deadlines.filter { $0.key.virtualServer != key }
    }
}
