/// discovery/v1 EndpointSlice address type.
public enum AddressType: String, Sendable, Hashable, CaseIterable, Codable {
    /// IPv4 addresses.
    case ipv4 = "IPv4"
    /// IPv6 addresses.
    case ipv6 = "IPv6"
    /// Domain names: ignored by service proxies (such slices validate with no endpoints).
    case fqdn = "FQDN"
}
