import Values
import IPVS

/// Which virtual servers in the kernel belong to the proxy. It changes only what it owns and never deletes anything
/// else: virtual servers made by hand, by keepalived or by another tool on the same kernel are left alone, and a
/// Service that wants one of them is told it is held by another program instead of taking it over (unless
/// `--adopt`).
///
/// A virtual server is the proxy's when its ownership record lists it (it created it, or took it over), or when its
/// address is bound to the proxy's dummy link (kube-ipvs0: the binding is a marker only the proxy makes) and the
/// record does not list it as another program's.
public struct Ownership: Sendable, Hashable {
    /// The addresses on the proxy's own dummy link (kube-ipvs0).
    public var linkAddresses: Set<IPAddress>
    /// What the proxy created, and what it found held by others.
    public var record: OwnershipRecord
    /// `--adopt`: take over a virtual server of another program when a Service wants the same one.
    public var adopt: Bool
    /// `--ipvs-exclude-cidrs`: a virtual server with an address in one of these is never added, changed or
    /// deleted, even when a Service asks for it.
    public var excludedPrefixes: [AddressPrefix]

    /// The default NodePort range, as the API server's `--service-node-port-range` defaults it.
    public static let defaultNodePortRange: ClosedRange<UInt16> = 30000...32767

    /// An ownership rule.
    public init(
        linkAddresses: Set<IPAddress> = [],
        record: OwnershipRecord = OwnershipRecord(),
        adopt: Bool = false,
        excludedPrefixes: [AddressPrefix] = []
    ) {
        self.linkAddresses = linkAddresses
        self.record = record
        self.adopt = adopt
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
        guard case .service(_, let address, _) = key else { return false }
        if record.virtualServers.contains(key) { return true }
        return linkAddresses.contains(address) && !record.foreign.contains(key)
    }

    /// True when the planner may act on the virtual server: create it when it is wanted and missing, change or
    /// delete it when the proxy owns it, take it over when a Service wants it and `adopt` says so.
    public func mayChange(_ key: VirtualServerKey, wanted: Bool, exists: Bool) -> Bool {
        if excludes(key) { return false }
        if !exists { return wanted }
        return owns(key) || (wanted && adopt)
    }

    /// True when a Service wants the virtual server and another program holds it: it is left as it is.
    public func isHeldByAnother(_ key: VirtualServerKey, wanted: Bool, exists: Bool) -> Bool {
        wanted && exists && !excludes(key) && !mayChange(key, wanted: wanted, exists: exists)
    }
}
