import Values

/// The clients a load-balancer IP admits (`spec.loadBalancerSourceRanges`, the ranges of the IP's family), as
/// kube-proxy's KUBE-SOURCE-RANGES-FIREWALL admits them: a connection from inside one of `prefixes` passes, any
/// other is dropped. The node itself (whose connections to the IP carry the IP as their source) passes only when
/// one of the ranges holds one of its addresses.
public struct SourceRanges: Sendable, Hashable {
    /// The admitted ranges, as networks (host bits cleared), none inside another, sorted; empty admits no client.
    public var prefixes: [AddressPrefix]
    /// True when a range holds a node address: the node's own connections to the IP are admitted.
    public var admitsNode: Bool

    /// Ranges admitting `prefixes` (normalised: host bits cleared, nested and repeated ranges dropped).
    public init(_ prefixes: [AddressPrefix], admitsNode: Bool) {
        let networks = Set(prefixes.compactMap { AddressPrefix(address: $0.network, length: $0.length) })
        self.prefixes = networks.filter { prefix in
            !networks.contains { $0 != prefix && $0.length <= prefix.length && $0.contains(prefix.address) }
        }.sorted { ($0.address, $0.length) < ($1.address, $1.length) }
        self.admitsNode = admitsNode
    }
}
