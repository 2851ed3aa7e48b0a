import Values
import IPVS

/// Which virtual servers in the kernel belong to the proxy. It changes only what it owns and never deletes anything
/// else: virtual servers made by hand, by keepalived or by another tool on the same kernel are left alone.
public struct Ownership: Sendable, Hashable {
    /// The addresses on the proxy's own dummy link (kube-ipvs0): a virtual server on one of them is the proxy's.
    public var linkAddresses: Set<IPAddress>
    /// The node's own addresses, where NodePort virtual servers live.
    public var nodeAddresses: Set<IPAddress>
    /// The NodePort range: a virtual server on a node address with a port in it is the proxy's.
    public var nodePortRange: ClosedRange<UInt16>
    /// `--ipvs-exclude-cidrs`: a virtual server with an address in one of these is never added, changed or
    /// deleted, even when a Service asks for it.
    public var excludedPrefixes: [AddressPrefix]

    /// The default NodePort range, as the API server's `--service-node-port-range` defaults it.
    public static let defaultNodePortRange: ClosedRange<UInt16> = 30000...32767

    /// An ownership rule.
    public init(
        linkAddresses: Set<IPAddress> = [],
        nodeAddresses: Set<IPAddress> = [],
        nodePortRange: ClosedRange<UInt16> = Ownership.defaultNodePortRange,
        excludedPrefixes: [AddressPrefix] = []
    ) {
        self.linkAddresses = linkAddresses
        self.nodeAddresses = nodeAddresses
        self.nodePortRange = nodePortRange
        self.excludedPrefixes = excludedPrefixes
    }

    /// True when the virtual server's address is in an excluded CIDR: the proxy never touches it.
    public func excludes(_ key: VirtualServerKey) -> Bool {
        guard case .service(_, let address, _) = key else { return false }
        return excludes(address)
    }

    /// True when the address is in an excluded CIDR: it is neither bound to nor unbound from the link.
    public func excludes(_ address: IPAddress) -> Bool {
        excludedPrefixes.contains { $0.contains(address) }
    }

    /// True when the virtual server is the proxy's to change or delete. Firewall-mark services are never its own,
    /// nor those in an excluded CIDR.
    public func owns(_ key: VirtualServerKey) -> Bool {
        if excludes(key) { return false }
        return switch key {
        case .service(_, let address, let port):
            linkAddresses.contains(address) || (nodeAddresses.contains(address) && nodePortRange.contains(port))
        case .firewallMark:
            false
        }
    }
}
