import Values
import IPVS

/// One element of the proxy's nftables sets: the masquerading sets (postrouting) and the filter sets (input and
/// output) that keep host ports off the VIPs and enforce `loadBalancerSourceRanges`.
public enum MasqueradeElement: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// A virtual server (protocol, address, port) whose connections are always masqueraded.
    case always(IPVSProtocol, IPAddress, port: UInt16)
    /// A virtual server whose connections from outside the cluster CIDRs are masqueraded.
    case fromOutside(IPVSProtocol, IPAddress, port: UInt16)
    /// A cluster IP whose port is masqueraded for connections coming from a cluster IP (kube-proxy's `src,dst`).
    case fromVirtualServerAddress(IPVSProtocol, IPAddress, port: UInt16)
    /// An endpoint address: a connection from it to itself (hairpin) is masqueraded.
    case hairpin(IPAddress)
    /// An address bound on the VIP link: new connections to it on a port no Service uses are rejected.
    case vip(IPAddress)
    /// A port a Service uses on a VIP (cluster, external or load-balancer IP): let through to IPVS.
    case vipPort(IPVSProtocol, IPAddress, port: UInt16)
    /// A health-check node port of this family: let through on every VIP (as KUBE-IPVS-FILTER does).
    case healthCheckPort(AddressFamily, port: UInt16)
    /// A load-balancer IP and port with `loadBalancerSourceRanges`: clients outside the admitted ranges dropped.
    case sourceGuarded(IPVSProtocol, IPAddress, port: UInt16)
    /// A range of clients admitted to a guarded load-balancer IP and port.
    case sourceAdmitted(IPVSProtocol, IPAddress, port: UInt16, AddressPrefix)
    /// A guarded load-balancer IP and port the node itself may not reach (no range holds a node address).
    case nodeRefused(IPVSProtocol, IPAddress, port: UInt16)

    /// The element for a virtual server under `rule`; nil for firewall-mark virtual servers (no address).
    public init?(_ key: VirtualServerKey, rule: MasqueradeRule) {
        guard case .service(let proto, let address, let port) = key else { return nil }
        switch rule {
        case .always: self = .always(proto, address, port: port)
        case .fromOutsideCluster: self = .fromOutside(proto, address, port: port)
        case .fromVirtualServerAddress: self = .fromVirtualServerAddress(proto, address, port: port)
        }
    }

    /// The address family, which picks the set.
    public var family: AddressFamily {
        switch self {
        case .always(_, let address, _), .fromOutside(_, let address, _), .fromVirtualServerAddress(_, let address, _),
            .hairpin(let address), .vip(let address), .vipPort(_, let address, _), .sourceGuarded(_, let address, _),
            .sourceAdmitted(_, let address, _, _), .nodeRefused(_, let address, _):
            address.family
        case .healthCheckPort(let family, _): family
        }
    }

    /// The sets, in the order their names sort (each has a `-v4` and a `-v6` set).
    static let setNames = [
        "hairpin", "health-check-ports", "masq-always", "masq-outside", "masq-vip-source", "source-admitted",
        "source-guarded", "source-node-refused", "vip-ports", "vips",
    ]

    /// The name of every set elements go in: each of ``setNames`` for IPv4, then for IPv6.
    public static let allSetNames = setNames.flatMap { ["\($0)-v4", "\($0)-v6"] }

    private var setIndex: Int {
        switch self {
        case .hairpin: 0
        case .healthCheckPort: 1
        case .always: 2
        case .fromOutside: 3
        case .fromVirtualServerAddress: 4
        case .sourceAdmitted: 5
        case .sourceGuarded: 6
        case .nodeRefused: 7
        case .vipPort: 8
        case .vip: 9
        }
    }

    /// The index in ``allSetNames`` of the set holding it.
    public var setSlot: Int { setIndex * 2 + (family == .ipv4 ? 0 : 1) }

    /// The name of the nftables set holding it.
    public var setName: String { Self.allSetNames[setSlot] }

    /// The element as nft writes it: "10.96.0.10 . tcp . 80", "10.244.0.11 . 10.244.0.11" for hairpin,
    /// "203.0.113.10 . tcp . 80 . 192.0.2.0/24" for an admitted range.
    public var nftText: String {
        switch self {
        case .always(let proto, let address, let port), .fromOutside(let proto, let address, let port),
            .fromVirtualServerAddress(let proto, let address, let port), .vipPort(let proto, let address, let port),
            .sourceGuarded(let proto, let address, let port):
            "\(address) . \(proto.rawValue) . \(port)"
        case .sourceAdmitted(let proto, let address, let port, let prefix):
            "\(address) . \(proto.rawValue) . \(port) . \(prefix)"
        case .nodeRefused(let proto, let address, let port):
            "\(address) . \(address) . \(proto.rawValue) . \(port)"
        case .hairpin(let address):
            "\(address) . \(address)"
        case .vip(let address):
            "\(address)"
        case .healthCheckPort(_, let port):
            "\(port)"
        }
    }

    public var description: String { "\(setName) { \(nftText) }" }

    /// Orders by set (as their names sort), then by address, protocol, port and range; no strings are built, so
    /// sorting the 44,000 elements of 10,000 Services stays cheap.
    public static func < (lhs: MasqueradeElement, rhs: MasqueradeElement) -> Bool {
        if lhs.setRank != rhs.setRank { return lhs.setRank < rhs.setRank }
        let (left, right) = (lhs.sortKey, rhs.sortKey)
        if (left.0, left.1, left.2) != (right.0, right.1, right.2) {
            return (left.0, left.1, left.2) < (right.0, right.1, right.2)
        }
        return (left.3, left.4) < (right.3, right.4)
    }

    /// The set's position when sets are sorted by name; v4 before v6.
    private var setRank: Int { 2 * setIndex + (family == .ipv4 ? 0 : 1) }

    private var sortKey: (IPAddress, UInt16, UInt16, IPAddress, UInt8) {
        let none = (IPAddress.v4(IPv4Address(0)), UInt8(0))
        switch self {
        case .always(let proto, let address, let port), .fromOutside(let proto, let address, let port),
            .fromVirtualServerAddress(let proto, let address, let port), .vipPort(let proto, let address, let port),
            .sourceGuarded(let proto, let address, let port), .nodeRefused(let proto, let address, let port):
            return (address, proto.kernelValue, port, none.0, none.1)
        case .sourceAdmitted(let proto, let address, let port, let prefix):
            return (address, proto.kernelValue, port, prefix.address, prefix.length)
        case .hairpin(let address), .vip(let address):
            return (address, 0, 0, none.0, none.1)
        case .healthCheckPort(_, let port):
            return (none.0, 0, port, none.0, none.1)
        }
    }
}
