import Kube

extension DesiredStateTracker {
    /// This node's Node arrived, changed (`node`), or was deleted (`node` nil, `deleted` its last state). Nodes of
    /// other names are ignored (the API server source reads only this one; a manifests directory may hold several).
    ///
    /// The eligibility follows at once. A change of zone recomputes exactly the Services whose endpoints carry
    /// zone hints (kube-proxy resyncs everything on a topology change; only these can change).
    mutating func applyNode(_ node: ValidatedNode?, deleted: ValidatedNode? = nil) -> Touched {
        guard (node ?? deleted)?.name == configuration.nodeName, !configuration.nodeName.isEmpty else {
            return Touched()
        }
        self.node = node
        let eligible =
            node.map { ProxyHealth.isEligible(beingDeleted: $0.beingDeleted, taintKeys: $0.taintKeys) }
            ?? false
        if nodeEligible != eligible {
            nodeEligible = eligible
            nodeEligibleChanged = true
        }
        let zone = node?.zone
        guard zone != configuration.nodeZone else { return Touched() }
        configuration.nodeZone = zone
        var touched = Touched()
        for (key, slices) in slicesByService.sorted(by: { $0.key < $1.key })
        where slices.values.contains(where: { $0.endpoints.contains { !$0.hintZones.isEmpty } }) {
            touched.formUnion(recompute(key))
        }
        return touched
    }

    /// The Services whose health-check node port changed since the last call, with what each needs now (nil: none).
    mutating func takeHealthCheckNodePortChanges() -> [ObjectKey: HealthCheckNodePort?] {
        defer { changedHealthCheckNodePorts = [] }
        return Dictionary(uniqueKeysWithValues: changedHealthCheckNodePorts.map { ($0, healthCheckNodePorts[$0]) })
    }
}
