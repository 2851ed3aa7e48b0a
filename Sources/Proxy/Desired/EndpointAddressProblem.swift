import Values

/// Why an endpoint address cannot be a real server: the kernel refuses it (`ip_vs_new_dest` takes only a unicast
/// or local IPv4 address, and for IPv6 a unicast one that is not link-local), or the API server refuses it in an
/// EndpointSlice (`ValidateEndpointIP`: unspecified, loopback, link-local, link-local multicast). Such an address
/// reaches an EndpointSlice only from a manifests directory or an API server that does not validate it; it is left
/// out of the real servers before anything is sent to the kernel.
public enum EndpointAddressProblem: String, Sendable, Hashable, CaseIterable {
    /// 0.0.0.0 or `::`.
    case unspecified
    /// IPv4 0.0.0.0/8 ("this network"), which the kernel takes for a broadcast address.
    case thisNetwork
    /// 127.0.0.0/8 or `::1`: it would reach the node itself, not a pod.
    case loopback
    /// 169.254.0.0/16 or fe80::/10.
    case linkLocal
    /// 224.0.0.0/4 or ff00::/8.
    case multicast
    /// 255.255.255.255.
    case broadcast
    /// An IPv4-mapped IPv6 address (::ffff:0:0/96), which the kernel does not count as IPv6 unicast.
    case ipv4Mapped

    /// The problem with `address` as a real server; nil when it has none that can be known without the node's
    /// routes (the kernel also refuses an address it has no route to, or a local subnet's broadcast address: those
    /// are refused at the kernel, reported on their Service and retried with backoff).
    public static func of(_ address: IPAddress) -> EndpointAddressProblem? {
        if address.isUnspecified { return .unspecified }
        if case .v4(let v4) = address, v4.value >> 24 == 0 { return .thisNetwork }
        if address.isBroadcast { return .broadcast }
        if address.isMulticast { return .multicast }
        if address.isLoopback { return .loopback }
        if address.isLinkLocal { return .linkLocal }
        if case .v6(let v6) = address, v6.high == 0, v6.low >> 32 == 0xFFFF { return .ipv4Mapped }
        return nil
    }

    /// What is wrong, after "<address> is".
    public var explanation: String {
        switch self {
        case .unspecified:
            "the unspecified address, which the kernel refuses as a real server and the API server in an EndpointSlice"
        case .thisNetwork:
            "in 0.0.0.0/8 (\"this network\"), which the kernel refuses as a real server"
        case .loopback:
            "a loopback address, which the API server refuses in an EndpointSlice (it would reach this node, not a pod)"
        case .linkLocal:
            "a link-local address, which the API server refuses in an EndpointSlice (and the kernel as an IPv6 real"
                + " server)"
        case .multicast:
            "a multicast address, which the kernel refuses as a real server"
        case .broadcast:
            "the broadcast address, which the kernel refuses as a real server"
        case .ipv4Mapped:
            "an IPv4-mapped IPv6 address, which the kernel refuses as a real server (use the IPv4 address in an IPv4"
                + " slice)"
        }
    }
}
