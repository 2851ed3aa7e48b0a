/// An IPv4 address, stored in host order; parses and prints dotted-quad notation.
public struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The address as a number, most significant byte first (10.0.0.1 is 0x0A00_0001).
    public var value: UInt32

    /// Makes an address from its numeric value (10.0.0.1 is 0x0A00_0001).
    public init(_ value: UInt32) { self.value = value }

    /// Makes an address from its four bytes in network order.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad notation ("10.96.0.1"); nil for anything else (no leading zeros, no shorthand).
    public init?(_ text: some StringProtocol) {
        var result: UInt32 = 0
        var parts = 0
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part.count == 1 || part.first != "0", let byte = UInt8(part)
            else { return nil }
            result = result << 8 | UInt32(byte)
            parts += 1
        }
        guard parts == 4 else { return nil }
        value = result
    }

    /// The four bytes in network order.
    public var bytes: [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// Dotted-quad notation.
    public var description: String { bytes.map { String($0) }.joined(separator: ".") }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}
