import Values
import Foundation

/// The health state shared between the reconcile loop (which records) and the /healthz and /livez endpoints (which
/// read), with kube-proxy's rules (``ProxyHealth``).
///
/// As kube-proxy's proxier, the proxy queues nothing until its source has delivered the whole initial state
/// (``initialized()``; kube-proxy calls `QueuedUpdate` only once its informers have synced): however long that
/// takes, the proxy stays healthy while it starts.
public final class ProxyHealthRecorder: Sendable {
    private struct State {
        var health: ProxyHealth
        var initialized = false
    }

    private let state: Locked<State>

    /// A recorder with kube-proxy's rule: unhealthy when a change waits `timeout` or longer.
    public init(timeout: Duration) {
        state = Locked(State(health: ProxyHealth(timeout: timeout)))
    }

    /// The loop started (kube-proxy's `SyncLoop` marks itself updated at once).
    public func started(at time: Date = Date()) { updated(at: time) }

    /// The source delivered its initial state: from now on changes are queued.
    public func initialized() { state.withLock { $0.initialized = true } }

    /// A change arrived; ignored until ``initialized()``.
    public func queued(at time: Date = Date()) {
        state.withLock { if $0.initialized { $0.health.queued(at: time) } }
    }

    /// A pass ran to its end: everything pending until then is done.
    public func updated(at time: Date = Date()) { state.withLock { $0.health.updated(at: time) } }

    /// Whether the node may take traffic; nil when Nodes are not read.
    public func setNodeEligible(_ eligible: Bool?) { state.withLock { $0.health.nodeEligible = eligible } }

    /// The state as the rule sees it.
    public var health: ProxyHealth { state.withLock { $0.health } }

    /// The answer of `endpoint` now.
    public func status(at now: Date = Date(), for endpoint: ProxyHealthStatus.Endpoint = .livez) -> ProxyHealthStatus {
        state.withLock { $0.health.status(at: now, for: endpoint) }
    }
}

extension ProxyHealthRecorder: ReconcileObserver {
    /// A pass that ran to its end (refused operations included: they are retried and reported on their Service)
    /// marks the changes pending until then as done; the node's eligibility is taken as the loop reports it.
    public func observe(_ report: ReconcileReport) async {
        switch report {
        case .pass(let pass) where pass.sync.completed: updated()
        // Holding the first sync back over an empty source is the loop's decision, not a stall.
        case .heldBack: updated()
        case .nodeEligible(let eligible): setNodeEligible(eligible)
        default: break
        }
    }
}
