import Health
import Kube

extension DesiredStateTracker {
    /// The Services whose real servers include this probed endpoint.
    public func users(of target: HealthTarget) -> Set<ObjectKey> { targetUsers[target] ?? [] }

    /// Every endpoint being probed.
    public var healthTargets: Dictionary<HealthTarget, Set<ObjectKey>>.Keys { targetUsers.keys }

    /// Applies a probe's verdict: recomputes exactly the Services that use the endpoint, and returns what that
    /// touched. A verdict on an endpoint no Service uses any more, or one that changes nothing, touches nothing.
    public mutating func applyHealth(_ transition: HealthTransition) -> Touched {
        guard let users = targetUsers[transition.target] else { return Touched() }
        switch transition.status {
        case .down: guard downTargets.insert(transition.target).inserted else { return Touched() }
        case .up: guard downTargets.remove(transition.target) != nil else { return Touched() }
        }
        var touched = Touched()
        for service in users.sorted() {
            touched.formUnion(recompute(service))
        }
        return touched
    }

    /// The endpoints whose set of users changed since the last call, with their users now (empty: no longer
    /// probed). The prober is told to start or stop probing them. The verdict on an endpoint no longer used is
    /// forgotten here, in step with the prober, which starts it afresh (up) if it is added again later; one that
    /// left and came back between two calls keeps its verdict, as the prober never stopped probing it.
    public mutating func takeHealthTargetChanges() -> [HealthTarget: Set<ObjectKey>] {
        guard !changedTargets.isEmpty else { return [:] }
        defer { changedTargets.removeAll() }
        var changes: [HealthTarget: Set<ObjectKey>] = [:]
        for target in changedTargets {
            let users = targetUsers[target] ?? []
            if users.isEmpty { downTargets.remove(target) }
            changes[target] = users
        }
        return changes
    }

    mutating func updateTargets(of key: ObjectKey, old: Set<HealthTarget>, new: Set<HealthTarget>) {
        guard old != new else { return }
        for target in old.subtracting(new) {
            targetUsers[target]?.remove(key)
            if targetUsers[target]?.isEmpty ?? true { targetUsers[target] = nil }
            changedTargets.insert(target)
        }
        for target in new.subtracting(old) {
            targetUsers[target, default: []].insert(key)
            changedTargets.insert(target)
        }
    }
}
