import Values
import IPVS
import Kube

/// Which connections to a virtual server must be masqueraded for the replies to come back through this node.
/// Pure; the facts follow kube-proxy's IPVS proxier (its KUBE-SERVICES, KUBE-NODE-PORT and KUBE-LOAD-BALANCER
/// chains).
///
/// - NodePorts, external IPs and load-balancer IPs with `externalTrafficPolicy: Cluster`: always, whoever the
///   client is. The endpoint may sit on another node, whose replies would go straight to the client and be
///   dropped (they carry the endpoint's address, not the one the client asked); a pod reaching another node's
///   NodePort is such a client too (its own node does not see the replies either).
/// - `externalTrafficPolicy: Local`: never, `--masquerade-all` included (kube-proxy applies that flag to cluster
///   IPs only); the client's address is kept. (With no endpoint on this node the virtual server falls back to
///   the cluster's endpoints, as kube-proxy's does, for this node's pods; a client from outside then gets no
///   answer, as with kube-proxy.)
/// - Cluster IPs: always under `--masquerade-all`; otherwise when the client is outside the cluster CIDRs (a
///   node, or a router sending service traffic to this node); with no cluster CIDR of the family, when the
///   connection's source is a cluster IP and its destination that IP's port (the node's own connections).
/// - Hairpin (a pod reaching a Service that picks the pod itself) is a rule of its own, on the endpoints.
public enum MasqueradePolicy {
    /// The rule for a virtual server of this role and family; nil when it is never masqueraded.
    public static func rule(
        for role: VirtualServerRole,
        family: AddressFamily,
        configuration: MasqueradeConfiguration
    ) -> MasqueradeRule? {
        switch role {
        case .clusterIP:
            if configuration.masqueradeAll { return .always }
            return configuration.hasClusterCIDR(family) ? .fromOutsideCluster : .fromVirtualServerAddress
        case .external(let policy), .nodePort(let policy):
            return policy == .cluster ? .always : nil
        }
    }
}
