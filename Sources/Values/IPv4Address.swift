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

    /// Parses dotted-quad notation ("10.96.0.1"); nil for anything else (no leading zeros, no shorthand), as
    /// `inet_pton(AF_INET)` reads it. One pass over the UTF-8 bytes: decoding a 10,000-Service manifests directory
    /// parses 120,000 addresses, and the former reading by `Character`s (split, `isNumber`, `UInt8(_:)`) was about
    /// a seventh of its CPU in the lab.
    public init?(_ text: some StringProtocol) {
        guard let value = Self.parse(String(text)) else { return nil }
        self.value = value
    }

    private static func parse(_ text: String) -> UInt32? {
        var result: UInt32 = 0
        var parts = 0
        var octet: UInt32 = 0
        var digits = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                // A second digit after a leading zero ("01") is refused, as is a fourth digit or a value over 255.
                guard digits == 0 || octet != 0, digits < 3 else { return nil }
                octet = octet * 10 + UInt32(byte &- UInt8(ascii: "0"))
                guard octet <= 255 else { return nil }
                digits += 1
            case UInt8(ascii: "."):
                guard digits > 0, parts < 3 else { return nil }
                result = result << 8 | octet
                parts += 1
                octet = 0
                digits = 0
            default:
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return result << 8 | octet
    }

    /// The four bytes in network order.
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4)
        appendBytes(to: &bytes)
        return bytes
    }

    /// Appends ``bytes`` to `buffer`, without making an array of them first.
    public func appendBytes(to buffer: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { buffer.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    /// Dotted-quad notation.
    public var description: String {
        var text = ""
        text.reserveCapacity(15)
        for shift in [24, 16, 8, 0] as [UInt32] {
            if shift != 24 { text.append(".") }
            text.append(String(UInt8(truncatingIfNeeded: value >> shift)))
        }
        return text
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}
