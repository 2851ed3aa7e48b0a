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
            guard entry.interfaceName != vipLink, !isLoopback(entry.address), !isLinkLocal(entry.address),
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

    static let loopbackV4 = AddressPrefix("127.0.0.0/8")
    static let loopbackV6 = AddressPrefix("::1/128")
    static let linkLocalV6 = AddressPrefix("fe80::/10")

    static func isLoopback(_ address: IPAddress) -> Bool {
        (loopbackV4?.contains(address) ?? false) || (loopbackV6?.contains(address) ?? false)
    }

    static func isLinkLocal(_ address: IPAddress) -> Bool { linkLocalV6?.contains(address) ?? false }
}
