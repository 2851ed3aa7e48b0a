/// An IPv4 or IPv6 address.
public enum IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// Parses either family's text form ("10.0.0.1", "fd00::1"); nil for anything else.
    public init?(_ text: some StringProtocol) {
        if let v4 = IPv4Address(text) {
            self = .v4(v4)
        } else if let v6 = IPv6Address(text) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    /// The address family.
    public var family: AddressFamily {
        switch self {
        case .v4: .ipv4
        case .v6: .ipv6
        }
    }

    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let address): address.bytes
        case .v6(let address): address.bytes
        }
    }

    /// Appends ``bytes`` to `buffer`, without making an array of them first.
    public func appendBytes(to buffer: inout [UInt8]) {
        switch self {
        case .v4(let address): address.appendBytes(to: &buffer)
        case .v6(let address): address.appendBytes(to: &buffer)
        }
    }

    /// True for link-local addresses (169.254.0.0/16, fe80::/10), which the kernel adds on its own.
    public var isLinkLocal: Bool {
        switch self {
        case .v4(let address): address.value >> 16 == 0xA9FE
        case .v6(let address): address.high >> 54 == 0x3FA
        }
    }

    /// True for IPv4.
    public var isIPv4: Bool { family == .ipv4 }

    /// True for the unspecified address (0.0.0.0, ::).
    public var isUnspecified: Bool {
        switch self {
        case .v4(let address): address.value == 0
        case .v6(let address): address.high == 0 && address.low == 0
        }
    }

    /// True for loopback addresses (127.0.0.0/8, ::1).
    public var isLoopback: Bool {
        switch self {
        case .v4(let address): address.value >> 24 == 127
        case .v6(let address): address.high == 0 && address.low == 1
        }
    }

    /// True for multicast addresses (224.0.0.0/4, ff00::/8).
    public var isMulticast: Bool {
        switch self {
        case .v4(let address): address.value >> 28 == 0xE
        case .v6(let address): address.high >> 56 == 0xFF
        }
    }

    /// True for the IPv4 limited broadcast address 255.255.255.255 (IPv6 has no broadcast).
    public var isBroadcast: Bool {
        if case .v4(let address) = self { return address.value == .max }
        return false
    }

    /// The text form; IPv6 is not bracketed.
    public var description: String {
        switch self {
        case .v4(let address): address.description
        case .v6(let address): address.description
        }
    }

    /// "address:port", with IPv6 bracketed ("[fd00::1]:80"), as ipvsadm prints it.
    public func withPort(_ port: UInt16) -> String {
        switch self {
        case .v4: "\(self):\(port)"
        case .v6: "[\(self)]:\(port)"
        }
    }

    /// IPv4 sorts before IPv6, then by value.
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): a < b
        case (.v6(let a), .v6(let b)): a < b
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }
}
