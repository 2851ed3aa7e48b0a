/// An IPv6 address; parses any RFC 4291 text form and prints the RFC 5952 canonical form.
public struct IPv6Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The high 64 bits (first eight bytes in network order).
    public var high: UInt64
    /// The low 64 bits (last eight bytes in network order).
    public var low: UInt64

    /// Makes an address from its two 64-bit halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Makes an address from exactly 16 bytes in network order; nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low)
    }

    /// Parses textual notation ("fd00::1", "::ffff:10.0.0.1"); nil for anything else.
    public init?(_ text: some StringProtocol) {
        let string = String(text)
        guard !string.isEmpty, string.count <= 45 else { return nil }
        var groups: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        let pieces = Self.split(string)
        guard pieces.count <= 2 else { return nil }
        func parse(_ part: String, allowV4: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            var out: [UInt16] = []
            for (index, field) in fields.enumerated() {
                if allowV4, index == fields.count - 1, field.contains(".") {
                    guard let v4 = IPv4Address(field) else { return nil }
                    out.append(UInt16(truncatingIfNeeded: v4.value >> 16))
                    out.append(UInt16(truncatingIfNeeded: v4.value))
                } else {
                    guard (1...4).contains(field.count), field.allSatisfy({ $0.isHexDigit }),
                        let number = UInt16(field, radix: 16)
                    else { return nil }
                    out.append(number)
                }
            }
            return out
        }
        if pieces.count == 2 {
            sawGap = true
            guard let head = parse(pieces[0], allowV4: false), let rest = parse(pieces[1], allowV4: true) else {
                return nil
            }
            groups = head
            tail = rest
            guard groups.count + tail.count <= 7 else { return nil }
        } else {
            guard let all = parse(pieces[0], allowV4: true), all.count == 8 else { return nil }
            groups = all
        }
        if sawGap { groups += [UInt16](repeating: 0, count: 8 - groups.count - tail.count) + tail }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, group) in groups.enumerated() {
            if index < 4 { high = high << 16 | UInt64(group) } else { low = low << 16 | UInt64(group) }
        }
        self.init(high: high, low: low)
    }

    /// The text split at each "::" (no Foundation in this module).
    private static func split(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var previousColon = false
        for character in text {
            if character == ":" && previousColon {
                current.removeLast()
                pieces.append(current)
                current = ""
                previousColon = false
                continue
            }
            current.append(character)
            previousColon = character == ":"
        }
        pieces.append(current)
        return pieces
    }

    /// The 16 bytes in network order.
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        appendBytes(to: &bytes)
        return bytes
    }

    /// Appends ``bytes`` to `buffer`, without making an array of them first.
    public func appendBytes(to buffer: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { buffer.append(UInt8(truncatingIfNeeded: high >> shift)) }
        for shift in stride(from: 56, through: 0, by: -8) { buffer.append(UInt8(truncatingIfNeeded: low >> shift)) }
    }

    /// The eight 16-bit groups, first to last.
    public var groups: [UInt16] {
        (0..<8).map { index in
            let word = index < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> (UInt64(3 - index % 4) * 16))
        }
    }

    /// RFC 5952 text: lower case, no leading zeros, the longest run (of two or more) of zero groups as "::".
    public var description: String {
        let groups = self.groups
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < 8 {
            if groups[index] == 0 {
                var end = index
                while end < 8, groups[end] == 0 { end += 1 }
                if end - index > bestLength, end - index >= 2 {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            } else {
                index += 1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}
