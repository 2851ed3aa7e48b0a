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

    /// The 16-byte form the kernel's `union nf_inet_addr` uses: IPv4 in the first four bytes, then zeros.
    public var kernelBytes: [UInt8] {
        switch self {
        case .v4(let address): address.bytes + [UInt8](repeating: 0, count: 12)
        case .v6(let address): address.bytes
        }
    }

    /// Reads an address of `family` from the kernel's 16-byte form (or exactly 4 bytes for IPv4).
    public init?(kernelBytes: some Collection<UInt8>, family: AddressFamily) {
        let bytes = Array(kernelBytes)
        switch family {
        case .ipv4:
            guard bytes.count >= 4 else { return nil }
            self = .v4(IPv4Address(bytes[0], bytes[1], bytes[2], bytes[3]))
        case .ipv6:
            guard let v6 = IPv6Address(bytes: bytes.prefix(16)) else { return nil }
            self = .v6(v6)
        }
    }

    /// Reads an address of `family` straight from a received attribute (16 bytes, or 4 for IPv4).
    init?(raw: UnsafeRawBufferPointer, family: AddressFamily) {
        switch family {
        case .ipv4:
            guard raw.count >= 4 else { return nil }
            self = .v4(IPv4Address(UInt32(bigEndian: raw.loadUnaligned(as: UInt32.self))))
        case .ipv6:
            guard raw.count >= 16 else { return nil }
            self = .v6(
                IPv6Address(
                    high: UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
                    low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))))
        }
    }

    /// True for link-local addresses (169.254.0.0/16, fe80::/10), which the kernel adds on its own.
    public var isLinkLocal: Bool {
        switch self {
        case .v4(let address): address.value >> 16 == 0xA9FE
        case .v6(let address): address.high >> 54 == 0x3FA
        }
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
