import Values

/// What identifies a virtual server in the kernel: protocol, address and port, or a firewall mark.
public enum VirtualServerKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// A TCP, UDP or SCTP service on an address and port.
    case service(IPVSProtocol, IPAddress, port: UInt16)
    /// Packets carrying this netfilter mark, of the given family.
    case firewallMark(UInt32, family: AddressFamily)

    /// The address family.
    public var family: AddressFamily {
        switch self {
        case .service(_, let address, _): address.family
        case .firewallMark(_, let family): family
        }
    }

    /// "TCP 10.96.0.1:80" / "FWM 7" / "FWM 7 IPv6", as ipvsadm -Ln prints it.
    public var description: String {
        switch self {
        case .service(let proto, let address, let port): "\(proto) \(address.withPort(port))"
        case .firewallMark(let mark, let family): family == .ipv4 ? "FWM \(mark)" : "FWM \(mark) IPv6"
        }
    }

    /// Orders as ipvsadm -L does: services (by family, protocol, address, port) before firewall marks (by family,
    /// mark).
    public static func < (lhs: VirtualServerKey, rhs: VirtualServerKey) -> Bool {
        switch (lhs, rhs) {
        case (.service(let p1, let a1, let port1), .service(let p2, let a2, let port2)):
            if a1.family != a2.family { return a1.family == .ipv4 }
            if p1 != p2 { return p1.kernelValue < p2.kernelValue }
            if a1 != a2 { return a1 < a2 }
            return port1 < port2
        case (.firewallMark(let m1, let f1), .firewallMark(let m2, let f2)):
            if f1 != f2 { return f1 == .ipv4 }
            return m1 < m2
        case (.service, .firewallMark): return true
        case (.firewallMark, .service): return false
        }
    }
}
