/// kube-proxy's conntrack settings (`--conntrack-*`, KubeProxyConfiguration `conntrack`), as given: the size of
/// the node's connection-tracking table and some of its timeouts. A plain value here so that Settings, which reads
/// them, and Proxy, which decides the sysctls from them, share one type. Zero means "leave the kernel's value".
public struct ConntrackLimits: Sendable, Hashable {
    /// Entries per CPU core (`maxPerCore`); 0 leaves `nf_conntrack_max` as it is and ignores ``min``.
    public var maxPerCore: Int
    /// The least `nf_conntrack_max`, whatever the cores (`min`).
    public var min: Int
    /// `nf_conntrack_tcp_timeout_established`, in seconds.
    public var tcpEstablishedTimeout: Int
    /// `nf_conntrack_tcp_timeout_close_wait`, in seconds.
    public var tcpCloseWaitTimeout: Int
    /// `nf_conntrack_tcp_be_liberal=1` when true; false leaves it.
    public var tcpBeLiberal: Bool
    /// `nf_conntrack_udp_timeout` (unreplied UDP), in seconds.
    public var udpTimeout: Int
    /// `nf_conntrack_udp_timeout_stream` (assured UDP), in seconds.
    public var udpStreamTimeout: Int

    /// Limits; the defaults are kube-proxy's.
    public init(
        maxPerCore: Int = 32768, min: Int = 131072, tcpEstablishedTimeout: Int = 86400,
        tcpCloseWaitTimeout: Int = 3600, tcpBeLiberal: Bool = false, udpTimeout: Int = 0, udpStreamTimeout: Int = 0
    ) {
        self.maxPerCore = maxPerCore
        self.min = min
        self.tcpEstablishedTimeout = tcpEstablishedTimeout
        self.tcpCloseWaitTimeout = tcpCloseWaitTimeout
        self.tcpBeLiberal = tcpBeLiberal
        self.udpTimeout = udpTimeout
        self.udpStreamTimeout = udpStreamTimeout
    }

    /// Nothing set: every value left as the kernel has it.
    public static let untouched = ConntrackLimits(
        maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0, tcpCloseWaitTimeout: 0)

    /// `nf_conntrack_max` for a node with `cores` usable CPUs, as kube-proxy's `getConntrackMax`:
    /// `max(maxPerCore × cores, min)`, or nil (leave it) when `maxPerCore` is 0.
    public func max(cores: Int) -> Int? {
        guard maxPerCore > 0 else { return nil }
        return Swift.max(maxPerCore * Swift.max(cores, 1), min)
    }
}
