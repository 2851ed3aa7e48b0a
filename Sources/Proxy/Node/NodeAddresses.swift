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

    /// Every address on an interface other than the VIP link.
    public static func otherInterfaceAddresses(_ local: [LocalAddress], vipLink: String) -> Set<IPAddress> {
        Set(local.filter { $0.interfaceName != vipLink }.map(\.address))
    }
}
