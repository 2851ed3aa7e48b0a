/// The address family of a virtual server or real server.
public enum AddressFamily: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case ipv4
    case ipv6

    /// The kernel's AF_* number (AF_INET 2, AF_INET6 10).
    public var kernelValue: UInt16 {
        switch self {
        case .ipv4: 2
        case .ipv6: 10
        }
    }

    /// The family for a kernel AF_* number, or nil.
    public init?(kernelValue: UInt16) {
        switch kernelValue {
        case 2: self = .ipv4
        case 10: self = .ipv6
        default: return nil
        }
    }

    public var description: String { self == .ipv4 ? "IPv4" : "IPv6" }
}
