/// An address prefix in CIDR form ("10.244.0.0/16", "fd00::/64"): pod and node CIDRs, `--nodeport-addresses`,
/// exclude lists. The one prefix type of the project.
public struct AddressPrefix: Sendable, Hashable, CustomStringConvertible {
    /// The address as written (host bits may be set unless parsed with `strict`).
    public var address: IPAddress
    /// The prefix length, at most 32 for IPv4 and 128 for IPv6.
    public var length: UInt8

    /// A prefix; nil when `length` exceeds the family's width.
    public init?(address: IPAddress, length: UInt8) {
        guard Int(length) <= address.family.bitWidth else { return nil }
        self.address = address
        self.length = length
    }

    /// An IPv4 prefix, for constants written in code; a length above 32 is taken as 32.
    public init(_ address: IPv4Address, length: UInt8) {
        self.address = .v4(address)
        self.length = min(length, 32)
    }

    /// Parses "address/length"; nil when either part is invalid or the length exceeds the family's width. With
    /// `strict`, host bits must be zero ("10.244.0.5/24" is refused, to catch typos).
    public init?(_ text: some StringProtocol, strict: Bool = false) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(parts[0]), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
            !parts[1].isEmpty, parts[1].count <= 3, let length = UInt8(parts[1])
        else { return nil }
        self.init(address: address, length: length)
        if strict && network != address { return nil }
    }

    /// The family of the prefix.
    public var family: AddressFamily { address.family }

    /// The network address: the address with its host bits cleared.
    public var network: IPAddress {
        switch address {
        case .v4(let v4): .v4(IPv4Address(v4.value & Self.mask32(length)))
        case .v6(let v6):
            .v6(
                IPv6Address(
                    high: v6.high & Self.mask64(min(Int(length), 64)),
                    low: v6.low & Self.mask64(max(Int(length) - 64, 0))))
        }
    }

    /// True when `other` is of the same family and its first `length` bits match.
    public func contains(_ other: IPAddress) -> Bool {
        switch (address, other) {
        case (.v4(let mine), .v4(let theirs)):
            let mask = Self.mask32(length)
            return mine.value & mask == theirs.value & mask
        case (.v6(let mine), .v6(let theirs)):
            let high = Self.mask64(min(Int(length), 64))
            let low = Self.mask64(max(Int(length) - 64, 0))
            return mine.high & high == theirs.high & high && mine.low & low == theirs.low & low
        default:
            return false
        }
    }

    /// The number of addresses the prefix spans (network and broadcast addresses included), saturating at
    /// `UInt64.max` for large IPv6 prefixes.
    public var size: UInt64 {
        let hostBits = family.bitWidth - Int(length)
        return hostBits >= 64 ? .max : UInt64(1) << UInt64(hostBits)
    }

    /// The address `offset` places after the network address, if it is a usable host address: inside the
    /// prefix and neither the network address nor (IPv4) the broadcast address.
    public func host(_ offset: UInt64) -> IPAddress? {
        guard offset >= 1, offset < size, family == .ipv6 || offset + 1 < size else { return nil }
        switch network {
        case .v4(let base): return .v4(IPv4Address(base.value + UInt32(offset)))
        case .v6(let base):
            let (low, carry) = base.low.addingReportingOverflow(offset)
            return .v6(IPv6Address(high: base.high &+ (carry ? 1 : 0), low: low))
        }
    }

    /// "address/length", the address as given.
    public var description: String { "\(address)/\(length)" }

    private static func mask32(_ length: UInt8) -> UInt32 {
        length == 0 ? 0 : UInt32.max << UInt32(32 - min(Int(length), 32))
    }

    private static func mask64(_ bits: Int) -> UInt64 {
        bits <= 0 ? 0 : UInt64.max << UInt64(64 - min(bits, 64))
    }
}

extension AddressFamily {
    /// The width of the family's addresses in bits: 32 or 128.
    public var bitWidth: Int { self == .ipv4 ? 32 : 128 }
}
