import Kube

extension DesiredStateTracker {
    /// This node's Node arrived, changed (`node`), or was deleted (`node` nil, `deleted` its last state). Nodes of
    /// other names are ignored (the API server source reads only this one; a manifests directory may hold several).
    ///
    /// The eligibility follows at once. A change of zone recomputes exactly the Services whose endpoints carry
    /// zone hints (kube-proxy resyncs everything on a topology change; only these can change). With `primary`
    /// NodePorts, a change of the Node's IPs moves the NodePorts (a deleted Node's last IPs are kept).
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
        var touched = Touched()
        if var primary = configuration.primaryNodePorts, let node, node.hostIPs != primary.nodeIPs {
            primary.nodeIPs = node.hostIPs
            configuration.primaryNodePorts = primary
            touched.formUnion(
                nodeAddressesChanged(
                    nodePorts: primary.selected, otherInterfaces: configuration.otherInterfaceAddresses))
        }
        let zone = node?.zone
        guard zone != configuration.nodeZone else { return touched }
        configuration.nodeZone = zone
        for (key, entry) in entries.sorted(by: { $0.key < $1.key })
        where entry.slices.contains(where: { $0.endpoints.contains { !$0.hintZones.isEmpty } }) {
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
