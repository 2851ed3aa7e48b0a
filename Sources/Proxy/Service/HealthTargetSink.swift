import Health
import Kube

/// Where the reconcile loop sends the endpoints to probe: the prober (through `HealthBridge`) or a test double.
public protocol HealthTargetSink: Sendable {
    /// Endpoints whose users changed, with their users now; an empty set means: stop probing it.
    func update(_ changes: [HealthTarget: Set<ObjectKey>])
}
