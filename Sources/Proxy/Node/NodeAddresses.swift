import Values
import IPVS

/// Which of the node's addresses the proxy serves NodePorts on, and which belong to its other interfaces.
public enum NodeAddresses {
    /// The addresses NodePorts are served on: every address on an interface other than the VIP link, within
    /// `prefixes` when any are given (`--nodeport-addresses`), skipping loopback and IPv6 link-local addresses
    /// (which IPVS cannot serve without a scope).
    public static func nodePortAddresses(
        _ local: [LocalAddress],
        prefixes: [AddressPrefix],
        vipLink: String
    ) -> [IPAddress] {
        var seen = Set<IPAddress>()
        return local.compactMap { entry in
            guard entry.interfaceName != vipLink, !entry.address.isLoopback,
                !(entry.address.family == .ipv6 && entry.address.isLinkLocal),
                prefixes.isEmpty || prefixes.contains(where: { $0.contains(entry.address) }),
                seen.insert(entry.address).inserted
            else { return nil }
            return entry.address
        }
    }

    /// The prefixes `--nodeport-addresses primary` stands for, as kube-proxy computes them (`detectNodeIPs` and
    /// the `primary` case of server.go): the node's IPs (`nodeIPs`, the Node's `ValidatedNode.hostIPs`, first of each
    /// family, as kube-proxy's `GetNodeHostIPs` gives them; the first one's family is the primary family), with
    /// `bindAddress` (kube-proxy's --bind-address) replacing the IP of its family and making that family primary;
    /// each as a /32 or /128, loopback skipped. A family without an IP gets the whole family (0.0.0.0/0 or ::/0),
    /// because kube-proxy reads nodePortAddresses per family and takes a family with no CIDR as all of that
    /// family's addresses; so with no node IP at all, NodePorts stay on every address. Pure.
    public static func primaryPrefixes(nodeIPs: [IPAddress], bindAddress: IPAddress?) -> [AddressPrefix] {
        var byFamily: [AddressFamily: IPAddress] = [:]
        for address in nodeIPs.prefix(2) {
            byFamily[address.family] = address
        }
        if let bindAddress, !bindAddress.isUnspecified {
            byFamily[bindAddress.family] = bindAddress
        }
        return [AddressFamily.ipv4, .ipv6].compactMap { family in
            guard let address = byFamily[family], !address.isLoopback else {
                return AddressPrefix(family == .ipv4 ? "0.0.0.0/0" : "::/0")
            }
            return AddressPrefix(address: address, length: family == .ipv4 ? 32 : 128)
        }
    }

    /// True when `primaryPrefixes` found no IP of any family: NodePorts then stay on every address, and kube-proxy
    /// asks for --bind-address.
    public static func isEveryAddress(_ prefixes: [AddressPrefix]) -> Bool {
        prefixes.allSatisfy { $0.length == 0 }
    }

    /// Every address on an interface other than the VIP link.
    public static func otherInterfaceAddresses(_ local: [LocalAddress], vipLink: String) -> Set<IPAddress> {
        Set(local.filter { $0.interfaceName != vipLink }.map(\.address))
    }
}
