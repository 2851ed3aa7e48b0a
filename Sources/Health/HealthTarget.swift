import Values

/// One thing to probe: an endpoint (IP address and port) and the probe spec. The transport follows from the
/// probe's kind (TCP for tcp and http, UDP for udp).
public struct HealthTarget: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The endpoint's IPv4 or IPv6 address.
    public var address: IPAddress
    /// The endpoint's port.
    public var port: UInt16
    /// How it is probed.
    public var probe: HealthProbe

    /// A target.
    public init(address: IPAddress, port: UInt16, probe: HealthProbe) {
        self.address = address
        self.port = port
        self.probe = probe
    }

    /// "10.244.0.11:80", "[fd00::1]:80".
    public var endpoint: String { address.withPort(port) }

    public var description: String { "\(probe.kind.name) \(endpoint)" }

    /// By address (IPv4 first, then numerically), port, then probe kind.
    public static func < (lhs: HealthTarget, rhs: HealthTarget) -> Bool {
        (lhs.address, lhs.port, lhs.probe.kind.name) < (rhs.address, rhs.port, rhs.probe.kind.name)
    }
}
