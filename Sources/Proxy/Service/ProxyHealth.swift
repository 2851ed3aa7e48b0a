import Foundation

/// kube-proxy's health rule (`ProxyHealthServer` in `pkg/proxy/healthcheck/proxy_health.go`), as a pure state
/// machine:
///
/// - ``updated(at:)`` is kube-proxy's `Updated`: called when the reconcile loop starts (kube-proxy's `SyncLoop`
///   does so "in case Sync() never succeeds") and after every pass that ran to its end, even when the kernel
///   refused some of its operations (kube-proxy's IPVS proxier only logs those). It stamps ``lastUpdated`` and
///   clears what was pending.
/// - ``queued(at:)`` is `QueuedUpdate`: a change arrived that a pass owes the kernel; only the oldest time counts.
/// - Healthy (``isHealthy(at:)``) unless a change has been pending for `timeout` or longer (kube-proxy uses twice
///   the sync period). Before the first ``updated(at:)`` the proxy is healthy whatever is queued: it is starting.
/// - `/livez` answers that alone; `/healthz` also needs the node to be eligible (not being deleted, not tainted
///   `ToBeDeletedByClusterAutoscaler`) once Nodes are read (``nodeEligible``; nil while they are not).
public struct ProxyHealth: Sendable, Hashable {
    /// The taint the Cluster Autoscaler puts on a node it is about to delete.
    public static let toBeDeletedTaint = "ToBeDeletedByClusterAutoscaler"

    /// How long a change may wait.
    public var timeout: Duration
    /// When the kernel was last brought up to date; nil before the loop started.
    public private(set) var lastUpdated: Date?
    /// When the oldest change not yet programmed arrived; nil when none waits.
    public private(set) var oldestPending: Date?
    /// Whether this node may take traffic (kube-proxy's `NodeEligible`); nil while the proxy does not read Nodes,
    /// and then /healthz answers as /livez does.
    public var nodeEligible: Bool?

    /// A state in which nothing has happened yet.
    public init(timeout: Duration) {
        self.timeout = timeout
    }

    /// A change arrived that a pass must still carry to the kernel.
    public mutating func queued(at time: Date) {
        if oldestPending == nil { oldestPending = time }
    }

    /// The loop started, or a pass ran to its end: what was pending is done.
    public mutating func updated(at time: Date) {
        lastUpdated = time
        oldestPending = nil
    }

    /// kube-proxy's `Health().Healthy`: false only when a change has waited `timeout` or longer since the loop
    /// started.
    public func isHealthy(at now: Date) -> Bool {
        guard lastUpdated != nil, let oldestPending else { return true }
        return now.timeIntervalSince(oldestPending) < Self.seconds(timeout)
    }

    /// The answer of `endpoint` at `now`.
    public func status(at now: Date, for endpoint: ProxyHealthStatus.Endpoint = .livez) -> ProxyHealthStatus {
        ProxyHealthStatus(
            endpoint: endpoint, healthy: isHealthy(at: now), nodeEligible: endpoint == .healthz ? nodeEligible : nil,
            lastUpdated: lastUpdated, currentTime: now)
    }

    /// kube-proxy's `NodeEligible` for a Node: false once it is being deleted or is tainted for deletion by the
    /// Cluster Autoscaler.
    public static func isEligible(beingDeleted: Bool, taintKeys: some Sequence<String>) -> Bool {
        !beingDeleted && !taintKeys.contains(toBeDeletedTaint)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
