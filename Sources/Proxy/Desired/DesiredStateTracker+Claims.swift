import Values
import IPVS
import Kube

/// Virtual servers wanted by more than one Service (two Services listing one external IP and port, a Service's
/// external IP equal to another's load-balancer IP, ...). The virtual server stays desired while any of them
/// wants it; its settings and real servers are those of the oldest Service (`metadata.creationTimestamp`, then
/// `namespace/name`), the same whatever order the objects arrive in, and every other claimant gets a
/// `sharedVirtualServer` diagnostic naming the Service that holds it. When the holder lets go, the next oldest
/// claimant's settings and real servers take its place.
extension DesiredStateTracker {
    /// True when Service `lhs` takes precedence over `rhs` (both in `services`) for a virtual server both want: the
    /// older one, then the one first by `namespace/name`. A Service without a creation time (a manifest) comes after
    /// those with one. Static: a closure over an instance method holds a copy of the whole tracker, which a profile
    /// of the restart found in every claim; one over `entries` holds that dictionary alone.
    static func precedes(_ lhs: ObjectKey, _ rhs: ObjectKey, in entries: [ObjectKey: ServiceEntry]) -> Bool {
        let left = entries[lhs]?.service?.creationTimestamp
        let right = entries[rhs]?.service?.creationTimestamp
        if left != right {
            guard let left else { return false }
            guard let right else { return true }
            return left < right
        }
        return lhs < rhs
    }

    /// Records what Service `service` wants for `key` (nil: nothing any more) and settles who holds it. Returns true
    /// when the desired virtual server changed. Services whose diagnostics must be redone are added to `stale`.
    mutating func claim(
        _ key: VirtualServerKey, by service: ObjectKey, as server: DesiredVirtualServer?, stale: inout Set<ObjectKey>
    ) -> Bool {
        var claimants = claims[key] ?? [:]
        let previous = servicePorts[key]?.service
        if claimants.isEmpty, let owner = previous, let held = desired.virtualServers[key] {
            claimants[owner] = held
        }
        if let server {
            if claimants[service] == server, previous != nil { return false }
            claimants[service] = server
        } else {
            guard claimants.removeValue(forKey: service) != nil else { return false }
        }
        claims[key] = claimants.count > 1 ? claimants : nil
        let entries = self.entries
        let winner = claimants.keys.min { Self.precedes($0, $1, in: entries) }
        if previous != winner { servicePorts[key] = winner.map { servicePort(of: key, heldBy: $0) } }
        // The losers' diagnostics name the winner: redo them when the winner or the set of losers changed.
        for loser in claimants.keys where loser != winner {
            if lostKeys[loser, default: []].insert(key).inserted || previous != winner { stale.insert(loser) }
        }
        if let winner, lostKeys[winner]?.remove(key) != nil { stale.insert(winner) }
        if server == nil, lostKeys[service]?.remove(key) != nil { stale.insert(service) }
        for owner in [winner, service].compactMap({ $0 }) where lostKeys[owner]?.isEmpty == true {
            lostKeys[owner] = nil
        }
        let wanted = winner.flatMap { claimants[$0] }
        guard desired.virtualServers[key] != wanted else { return false }
        desired.virtualServers[key] = wanted
        return true
    }

    /// Rebuilds one Service's diagnostics: the translator's, then one per virtual server another Service holds.
    mutating func refreshDiagnostics(of service: ObjectKey) {
        var all = ownDiagnostics[service] ?? []
        for key in (lostKeys[service] ?? []).sorted() {
            guard let holder = servicePorts[key]?.service, holder != service else { continue }
            all.append(
                ServiceDiagnostic(
                    code: .sharedVirtualServer, service: service.description, field: "virtual server \(key)",
                    message: "also wanted by services/\(holder), which takes precedence (created earlier, or first "
                        + "by namespace/name): it has services/\(holder)'s settings and real servers, not these; "
                        + "it stays while either Service wants it"))
        }
        // Written, and said to have changed, only when it did: the loop redoes what it reports for these Services.
        let new = all.isEmpty ? nil : all
        if diagnostics[service] != new {
            diagnostics[service] = new
            changedDiagnostics.insert(service)
        }
    }

    /// The Services whose diagnostics changed since the last call.
    public mutating func takeDiagnosticsChanges() -> Set<ObjectKey> {
        defer { changedDiagnostics = [] }
        return changedDiagnostics
    }
}

extension DesiredStateTracker {
    /// The node's addresses changed (an address added to or removed from an interface): recomputes exactly the
    /// Services they matter to (NodePort and LoadBalancer Services, whose NodePorts live on node addresses, and
    /// those with external or load-balancer IPs, which are bound to the VIP link unless another interface holds
    /// them) and returns what that touched. Nothing when the addresses are the same. With `primary` NodePorts,
    /// `addresses.nodePortAddresses` are the candidates, narrowed here to the primary IPs.
    public mutating func updateNode(_ addresses: NodeAddressSet) -> Touched {
        var nodePorts = addresses.nodePortAddresses
        if var primary = configuration.primaryNodePorts {
            primary.candidates = addresses.nodePortAddresses
            configuration.primaryNodePorts = primary
            nodePorts = primary.selected
        }
        return nodeAddressesChanged(
            nodePorts: nodePorts, otherInterfaces: addresses.otherInterfaceAddresses)
    }

    /// Sets the NodePort addresses and the other interfaces' addresses, and recomputes the Services they matter to
    /// when either changed.
    mutating func nodeAddressesChanged(nodePorts: [IPAddress], otherInterfaces: Set<IPAddress>) -> Touched {
        guard
            nodePorts != configuration.nodePortAddresses
                || otherInterfaces != configuration.otherInterfaceAddresses
        else { return Touched() }
        configuration.nodePortAddresses = nodePorts
        configuration.otherInterfaceAddresses = otherInterfaces
        var touched = Touched()
        let services = entries.compactMap { key, entry in entry.service.map { (key: key, service: $0) } }
        for (key, service) in services.sorted(by: { $0.key < $1.key })
        where service.type == .nodePort || service.type == .loadBalancer || !service.externalIPs.isEmpty
            || !service.loadBalancerIngressIPs.isEmpty
        {
            touched.formUnion(recompute(key))
        }
        return touched
    }
}
