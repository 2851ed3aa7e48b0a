import Foundation
import Synchronization

/// The health state shared between the reconcile loop (which records) and the healthz endpoint (which reads).
public final class ProxyHealthRecorder: Sendable {
    private let state: Mutex<ProxyHealth>

    /// A recorder with kube-proxy's rule: unhealthy when a change waits longer than `timeout`.
    public init(timeout: Duration) {
        state = Mutex(ProxyHealth(timeout: timeout))
    }

    /// A change arrived.
    public func queued(at time: Date = Date()) { state.withLock { $0.queued(at: time) } }

    /// Everything pending reached the kernel.
    public func updated(at time: Date = Date()) { state.withLock { $0.updated(at: time) } }

    /// The answer now.
    public func status(at now: Date = Date()) -> ProxyHealthStatus { state.withLock { $0.status(at: now) } }
}

extension ProxyHealthRecorder: ReconcileObserver {
    /// A pass that programmed everything marks the changes pending until then as done.
    public func observe(_ report: ReconcileReport) async {
        if case .pass(let pass) = report, pass.sync.succeeded { updated() }
    }
}
