import Values
import IPVS

/// One element of the proxy's nftables sets.
public enum MasqueradeElement: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// A virtual server (protocol, address, port) whose connections are always masqueraded.
    case always(IPVSProtocol, IPAddress, port: UInt16)
    /// A virtual server whose connections from outside the cluster CIDRs are masqueraded.
    case fromOutside(IPVSProtocol, IPAddress, port: UInt16)
    /// An endpoint address: a connection from it to itself (hairpin) is masqueraded.
    case hairpin(IPAddress)

    /// The element for a virtual server under `rule`; nil for firewall-mark virtual servers (no address).
    public init?(_ key: VirtualServerKey, rule: MasqueradeRule) {
        guard case .service(let proto, let address, let port) = key else { return nil }
        switch rule {
        case .always: self = .always(proto, address, port: port)
        case .fromOutsideCluster: self = .fromOutside(proto, address, port: port)
        }
    }

    /// The address family, which picks the set.
    public var family: AddressFamily {
        switch self {
        case .always(_, let address, _), .fromOutside(_, let address, _), .hairpin(let address): address.family
        }
    }

    /// The name of the nftables set holding it.
    public var setName: String {
        let suffix = family == .ipv4 ? "v4" : "v6"
        switch self {
        case .always: return "masq-always-\(suffix)"
        case .fromOutside: return "masq-outside-\(suffix)"
        case .hairpin: return "hairpin-\(suffix)"
        }
    }

    /// The element as nft writes it: "10.96.0.10 . tcp . 80", or "10.244.0.11 . 10.244.0.11" for hairpin.
    public var nftText: String {
        switch self {
        case .always(let proto, let address, let port), .fromOutside(let proto, let address, let port):
            "\(address) . \(proto.rawValue) . \(port)"
        case .hairpin(let address):
            "\(address) . \(address)"
        }
    }

    public var description: String { "\(setName) { \(nftText) }" }

    /// Orders by set (as their names sort), then by address, protocol and port; no strings are built, so sorting
    /// the 44,000 elements of 10,000 Services stays cheap.
    public static func < (lhs: MasqueradeElement, rhs: MasqueradeElement) -> Bool {
        if lhs.setRank != rhs.setRank { return lhs.setRank < rhs.setRank }
        return lhs.sortKey < rhs.sortKey
    }

    /// The set's position when sets are sorted by name (hairpin, masq-always, masq-outside; v4 before v6).
    private var setRank: Int {
        let family = self.family == .ipv4 ? 0 : 1
        switch self {
        case .hairpin: return family
        case .always: return 2 + family
        case .fromOutside: return 4 + family
        }
    }

    private var sortKey: (IPAddress, UInt16, UInt16) {
        switch self {
        case .always(let proto, let address, let port), .fromOutside(let proto, let address, let port):
            (address, proto.kernelValue, port)
        case .hairpin(let address): (address, 0, 0)
        }
    }
}
