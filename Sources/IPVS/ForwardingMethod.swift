/// How IPVS forwards packets to a real server (`IP_VS_CONN_F_*` forwarding bits).
public enum ForwardingMethod: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// NAT (ipvsadm -m, "Masq").
    case masquerade
    /// Direct routing (ipvsadm -g, "Route").
    case route
    /// IP-in-IP tunnelling (ipvsadm -i, "Tunnel").
    case tunnel
    /// The real server is this host ("Local").
    case local

    /// The kernel's value.
    public var kernelValue: UInt32 {
        switch self {
        case .masquerade: 0
        case .local: 1
        case .tunnel: 2
        case .route: 3
        }
    }

    /// The method for the kernel's value (only the forwarding bits are looked at).
    public init?(kernelValue: UInt32) {
        switch kernelValue & 0x7 {
        case 0: self = .masquerade
        case 1: self = .local
        case 2: self = .tunnel
        case 3: self = .route
        default: return nil
        }
    }

    /// The word ipvsadm -L prints: Masq, Route, Tunnel, Local.
    public var description: String {
        switch self {
        case .masquerade: "Masq"
        case .route: "Route"
        case .tunnel: "Tunnel"
        case .local: "Local"
        }
    }
}
