import IPVS

/// An address prefix in CIDR form ("10.0.0.0/8", "fd00::/64"), as `--nodeport-addresses` takes them.
public struct AddressPrefix: Sendable, Hashable, CustomStringConvertible {
    /// The network address (host bits as given).
    public var address: IPAddress
    /// The prefix length.
    public var length: UInt8

    /// Parses "address/length"; nil when either part is invalid or the length exceeds the family's width.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(parts[0]), let length = UInt8(parts[1]) else { return nil }
        guard Int(length) <= address.bytes.count * 8 else { return nil }
        self.address = address
        self.length = length
    }

    /// True when `other` is of the same family and its first `length` bits match.
    public func contains(_ other: IPAddress) -> Bool {
        let mine = address.bytes
        let theirs = other.bytes
        guard mine.count == theirs.count else { return false }
        var remaining = Int(length)
        for index in mine.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if mine[index] & mask != theirs[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String { "\(address)/\(length)" }
}
