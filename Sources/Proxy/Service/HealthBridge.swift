import Health
import Kube

/// Connects the reconcile loop to the prober: endpoints to probe go to the `HealthChecker` (and their Services to
/// the metrics); the checker's transitions come back through the proxy's inbox.
public struct HealthBridge: HealthTargetSink {
    /// The prober.
    public let checker: HealthChecker
    /// The metrics the prober reports probe latencies to.
    public let metrics: HealthMetrics

    /// A bridge to `checker`, which must have been made with `metrics` as its observer.
    public init(checker: HealthChecker, metrics: HealthMetrics) {
        self.checker = checker
        self.metrics = metrics
    }

    public func update(_ changes: [HealthTarget: Set<ObjectKey>]) {
        metrics.setUsers(changes)
        var adding: [HealthTarget] = []
        var removing: [HealthTarget] = []
        for (target, users) in changes {
            if users.isEmpty { removing.append(target) } else { adding.append(target) }
        }
        checker.update(adding: adding, removing: removing)
    }
}
