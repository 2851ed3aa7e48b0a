/// An IPv4 address, as a number: enough arithmetic to hand out pod addresses from a CIDR.
public struct PodIPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible {
    /// The address in host byte order (`10.244.0.1` is `0x0AF4_0001`).
    public var value: UInt32

    /// Makes an address from its numeric value.
    public init(_ value: UInt32) {
        self.value = value
    }

    /// Parses dotted-quad notation (`10.244.0.10`); `nil` if it is not exactly four numbers 0...255.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit), let byte = UInt8(part) else {
                return nil
            }
            value = value << 8 | UInt32(byte)
        }
        self.value = value
    }

    /// Dotted-quad notation.
    public var description: String {
        (0..<4).map { String((value >> (24 - 8 * $0)) & 0xFF) }.joined(separator: ".")
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}
extension PodIPv4Address: Codable {
    /// Decodes dotted-quad notation.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = Self(text) else {
            throw PodsError(.invalidArgument, "not an IPv4 address: '\(text)'")
        }
        self = address
    }

    /// Encodes dotted-quad notation.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
