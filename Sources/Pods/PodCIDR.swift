/// An IPv4 network such as `10.244.0.0/24`: the pod CIDR that the fixture's bridge and pods live in.
public struct PodCIDR: Sendable, Hashable, CustomStringConvertible, Codable {
    /// The network address (host bits zero).
    public let network: PodIPv4Address
    /// The prefix length, 0...32.
    public let prefixLength: Int

    /// The default pod CIDR, `10.244.0.0/24`.
    public static let `default` = PodCIDR(network: PodIPv4Address(0x0AF4_0000), uncheckedPrefixLength: 24)

    private init(network: PodIPv4Address, uncheckedPrefixLength: Int) {
        self.network = network
        self.prefixLength = uncheckedPrefixLength
    }

    /// Parses `A.B.C.D/N`. Host bits must be zero (`10.244.0.5/24` is refused, to catch typos).
    public init(parsing text: String) throws(PodsError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = PodIPv4Address(String(parts[0])),
            parts[1].allSatisfy(\.isASCIIDigit), let length = Int(parts[1]), (0...32).contains(length)
        else {
            throw PodsError(.invalidArgument, "not an IPv4 CIDR: '\(text)' (expected e.g. 10.244.0.0/24)")
        }
        let mask = Self.mask(length)
        guard address.value & ~mask == 0 else {
            let network = PodIPv4Address(address.value & mask)
            throw PodsError(.invalidArgument, "CIDR '\(text)' has host bits set (did you mean \(network)/\(length)?)")
        }
        self.init(network: address, uncheckedPrefixLength: length)
    }

    /// The number of addresses in the network, network and broadcast addresses included.
    public var size: UInt64 { UInt64(1) << UInt64(32 - prefixLength) }

    /// The address `offset` places after the network address, if it is a usable host address (neither the
    /// network nor the broadcast address; a /31 or /32 has none).
    public func host(_ offset: UInt64) -> PodIPv4Address? {
        guard offset >= 1, offset + 1 < size else { return nil }
        return PodIPv4Address(network.value + UInt32(offset))
    }

    /// Whether `address` lies in this network.
    public func contains(_ address: PodIPv4Address) -> Bool {
        address.value & Self.mask(prefixLength) == network.value
    }

    /// `A.B.C.D/N`.
    public var description: String { "\(network)/\(prefixLength)" }

    /// Decodes `A.B.C.D/N`.
    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes `A.B.C.D/N`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func mask(_ length: Int) -> UInt32 {
        length == 0 ? 0 : UInt32.max << UInt32(32 - length)
    }
}
