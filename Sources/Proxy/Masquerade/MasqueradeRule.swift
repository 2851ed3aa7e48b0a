/// When the connections to one virtual server are masqueraded.
public enum MasqueradeRule: Sendable, Hashable {
    /// Always (`--masquerade-all`, or a NodePort or external IP when no cluster CIDR of its family is known).
    case always
    /// When the client is outside the cluster CIDRs of its family.
    case fromOutsideCluster
}
