import Values

extension IPAddress {
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
}
