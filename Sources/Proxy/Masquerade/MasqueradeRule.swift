/// When the connections to one virtual server are masqueraded.
public enum MasqueradeRule: Sendable, Hashable {
    /// Always (a NodePort, external or load-balancer IP with `externalTrafficPolicy: Cluster`, or a cluster IP
    /// under `--masquerade-all`).
    case always
    /// When the client is outside the cluster CIDRs of its family.
    case fromOutsideCluster
    /// When the connection comes from a cluster IP to its port (kube-proxy's `src,dst` match on KUBE-CLUSTER-IP):
    /// the node reaching a cluster IP bound on its own VIP link gets that IP as its source address, which no
    /// endpoint could answer. The rule for cluster IPs when no cluster CIDR of the family is known.
    case fromVirtualServerAddress
}
