import Values
import IPVS
import Kube

/// The endpoints one Service port sends one address family's traffic to, chosen as kube-proxy's IPVS proxier
/// chooses them (`CategorizeEndpoints` in `pkg/proxy/topology.go`, then the proxier's `syncEndpoint`). Pure.
///
/// - Cluster endpoints: the ready endpoints on every node that the port's topology mode admits (``TopologyMode``,
///   from the slices' hints and this node's name and zone); when none is ready, those serving while terminating,
///   whatever their hints. They are chosen only when the port uses them: its internal traffic policy is Cluster, or
///   it is reached from outside at all (a node port, or an external or load-balancer IP of the family).
/// - Local endpoints: this node's ready endpoints; when none is ready, this node's serving terminating ones.
/// - A virtual server whose traffic policy is Cluster gets the cluster endpoints. One whose policy is Local gets
///   the local endpoints, and when there are none, the cluster endpoints (kubernetes PR 97081: pods on this node
///   still reach the Service; traffic from outside is not masqueraded, so its replies are lost as with
///   kube-proxy).
struct EndpointSelection: Sendable, Hashable {
    /// Every usable endpoint in the cluster, or none when the port does not use cluster endpoints.
    var cluster: [RealServer]
    /// This node's usable endpoints.
    var local: [RealServer]

    /// The selection for `port` and `family` from the Service's slices. `usesCluster` says whether the port uses
    /// cluster endpoints (see ``usesClusterEndpoints(internalPolicy:externallyAccessible:)``).
    init(
        port: ValidatedService.Port,
        family: AddressFamily,
        slices: some Collection<ValidatedEndpointSlice>,
        nodeName: String,
        zone: String? = nil,
        usesCluster: Bool
    ) {
        // Each slice of the family that serves the port, with the port's number in it (nearly always one slice).
        // Its endpoints are read in place, not copied out: each holds five strings and arrays to retain and release.
        let wantedType: AddressType = family == .ipv4 ? .ipv4 : .ipv6
        var served: [(endpoints: [ValidatedEndpointSlice.Endpoint], port: UInt16)] = []
        for slice in slices where slice.addressType == wantedType {
            guard
                let slicePort = slice.ports.first(where: { $0.name == port.name && $0.protocol == port.protocol })
            else { continue }
            served.append((slice.endpoints, slicePort.port))
        }
        let mode =
            usesCluster ? TopologyMode.from(served.lazy.flatMap(\.endpoints), nodeName: nodeName, zone: zone) : .none
        var ready: [RealServer] = []
        ready.reserveCapacity(served.reduce(0) { $0 + $1.endpoints.count })
        var terminating: [RealServer] = []
        var localReady: [RealServer] = []
        var localTerminating: [RealServer] = []
        for (endpoints, slicePort) in served {
            for index in endpoints.indices {
                let real = RealServer(address: endpoints[index].address, port: slicePort)
                let isLocal = !nodeName.isEmpty && endpoints[index].nodeName == nodeName
                if endpoints[index].ready {
                    if mode.admits(endpoints[index], nodeName: nodeName, zone: zone) { ready.append(real) }
                    if isLocal { localReady.append(real) }
                } else if endpoints[index].serving && endpoints[index].terminating {
                    terminating.append(real)
                    if isLocal { localTerminating.append(real) }
                }
            }
        }
        cluster = usesCluster ? (ready.isEmpty ? terminating : ready) : []
        local = localReady.isEmpty ? localTerminating : localReady
    }

    /// Whether a Service port uses cluster endpoints: kube-proxy's `UsesClusterEndpoints`. Even with an internal
    /// policy of Local, a port reached from outside needs them (for external traffic policy Cluster, and for the
    /// fallback when this node has no endpoint).
    static func usesClusterEndpoints(internalPolicy: TrafficPolicy, externallyAccessible: Bool) -> Bool {
        internalPolicy == .cluster || externallyAccessible
    }

    /// The real servers of a virtual server with traffic policy `policy`.
    func realServers(policy: TrafficPolicy) -> [RealServer] {
        guard policy == .local, !local.isEmpty else { return cluster }
        return local
    }
}
