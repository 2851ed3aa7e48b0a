/// The transport protocol of a virtual server.
public enum IPVSProtocol: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case tcp
    case udp
    case sctp

    /// The IPPROTO_* number the kernel uses.
    public var kernelValue: UInt16 {
        switch self {
        case .tcp: 6
        case .udp: 17
        case .sctp: 132
        }
    }

    /// The protocol for an IPPROTO_* number, or nil.
    public init?(kernelValue: UInt16) {
        guard let found = Self.allCases.first(where: { $0.kernelValue == kernelValue }) else { return nil }
        self = found
    }

    /// Upper-case name as ipvsadm -L prints it ("TCP").
    public var description: String { rawValue.uppercased() }
}
