import Values

/// Persistence (session affinity) of a virtual server: clients stick to one real server for `timeout` seconds.
public struct Persistence: Sendable, Hashable {
    /// Affinity timeout in seconds (ipvsadm's default is 300).
    public var timeout: UInt32
    /// Clients are grouped by this prefix length: 32 (IPv4) or 128 (IPv6) means each client on its own.
    public var prefixLength: UInt8

    /// Persistence for `timeout` seconds, grouping clients by `prefixLength` (nil: one client each).
    public init(timeout: UInt32 = 300, prefixLength: UInt8? = nil, family: AddressFamily = .ipv4) {
        self.timeout = timeout
        self.prefixLength = prefixLength ?? (family == .ipv4 ? 32 : 128)
    }
}
