import Values
import IPVS
import Kube

/// Which connections to a virtual server must be masqueraded for the replies to come back through this node.
/// Pure; the facts follow kube-proxy.
///
/// - `--masquerade-all`: every virtual server, always.
/// - NodePorts and external/load-balancer IPs with `externalTrafficPolicy: Cluster`: the endpoint may sit on
///   another node, whose replies would go straight to the client and be dropped (they carry the endpoint's
///   address, not the one the client asked): masqueraded when the client is outside the cluster CIDRs, and
///   always when no cluster CIDR of the family is known (pods cannot be told from outsiders then).
/// - `externalTrafficPolicy: Local`: never; the endpoints are on this node, and the client's address is kept. (With
///   no endpoint on this node the virtual server falls back to the cluster's endpoints, as kube-proxy's does, for
///   this node's pods; a client from outside then gets no answer, as with kube-proxy.)
/// - Cluster IPs: masqueraded when the client is outside the cluster CIDRs (a node, or a router sending service
///   traffic to this node); not at all without a cluster CIDR of the family.
/// - Hairpin (a pod reaching a Service that picks the pod itself) is a rule of its own, on the endpoints.
public enum MasqueradePolicy {
    /// The rule for a virtual server of this role and family; nil when it is never masqueraded.
    public static func rule(
        for role: VirtualServerRole,
        family: AddressFamily,
        configuration: MasqueradeConfiguration
    ) -> MasqueradeRule? {
        if configuration.masqueradeAll { return .always }
        let known = configuration.hasClusterCIDR(family)
        switch role {
        case .clusterIP:
            return known ? .fromOutsideCluster : nil
        case .external(let policy), .nodePort(let policy):
            guard policy == .cluster else { return nil }
            return known ? .fromOutsideCluster : .always
        }
    }
}
