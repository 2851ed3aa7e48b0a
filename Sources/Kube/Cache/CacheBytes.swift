import Values

/// The bytes of the decoded-manifests cache (``ManifestCache``) as they are written: little-endian integers, strings
/// as a length and their UTF-8, optionals behind a presence byte.
struct CacheWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func uint16(_ value: UInt16) { integer(value) }

    mutating func uint32(_ value: UInt32) { integer(value) }

    mutating func uint64(_ value: UInt64) { integer(value) }

    mutating func count(_ value: Int) { integer(UInt32(truncatingIfNeeded: value)) }

    private mutating func integer<T: FixedWidthInteger>(_ value: T) {
        var value = value.littleEndian
        for _ in 0..<MemoryLayout<T>.size {
            bytes.append(UInt8(truncatingIfNeeded: value))
            value >>= 8
        }
    }

    mutating func string(_ value: String) {
        count(value.utf8.count)
        bytes.append(contentsOf: value.utf8)
    }

    mutating func string(_ value: String?) {
        bool(value != nil)
        if let value { string(value) }
    }

    mutating func strings(_ values: some Collection<String>) {
        count(values.count)
        for value in values { string(value) }
    }

    mutating func address(_ value: IPAddress) {
        switch value {
        case .v4(let address):
            byte(4)
            uint32(address.value)
        case .v6(let address):
            byte(6)
            uint64(address.high)
            uint64(address.low)
        }
    }

    mutating func addresses(_ values: [IPAddress]) {
        count(values.count)
        for value in values { address(value) }
    }
}

/// Reads what a ``CacheWriter`` wrote; every read is checked against the end, so a cut or damaged cache is an error
/// (``CacheReader/Malformed``), never a crash.
struct CacheReader {
    /// The bytes end before a value, or a value is not one the writer writes.
    struct Malformed: Error {
        var offset: Int
    }

    let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    init(_ bytes: [UInt8], from offset: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var isAtEnd: Bool { offset >= end }

    mutating func byte() throws(Malformed) -> UInt8 {
        guard offset < end else { throw Malformed(offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func bool() throws(Malformed) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: throw Malformed(offset: offset - 1)
        }
    }

    mutating func uint16() throws(Malformed) -> UInt16 { try integer() }

    mutating func uint32() throws(Malformed) -> UInt32 { try integer() }

    mutating func uint64() throws(Malformed) -> UInt64 { try integer() }

    /// A count of items that each take at least `itemBytes`: never more than the bytes left could hold.
    mutating func count(itemBytes: Int = 1) throws(Malformed) -> Int {
        let value = Int(try uint32())
        guard value <= (end - offset) / max(1, itemBytes) else { throw Malformed(offset: offset - 4) }
        return value
    }

    private mutating func integer<T: FixedWidthInteger>() throws(Malformed) -> T {
        let size = MemoryLayout<T>.size
        guard end - offset >= size else { throw Malformed(offset: offset) }
        var value: T = 0
        for index in 0..<size {
            value |= T(truncatingIfNeeded: bytes[offset + index]) << (8 * index)
        }
        offset += size
        return T(littleEndian: value)
    }

    mutating func string() throws(Malformed) -> String {
        let length = try count()
        defer { offset += length }
        return String(decoding: bytes[offset..<offset + length], as: UTF8.self)
    }

    mutating func optionalString() throws(Malformed) -> String? {
        try bool() ? try string() : nil
    }

    mutating func strings() throws(Malformed) -> [String] {
        let count = try count(itemBytes: 4)
        var values: [String] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try string()) }
        return values
    }

    mutating func address() throws(Malformed) -> IPAddress {
        switch try byte() {
        case 4: return .v4(IPv4Address(try uint32()))
        case 6:
            let high = try uint64()
            return .v6(IPv6Address(high: high, low: try uint64()))
        default: throw Malformed(offset: offset - 1)
        }
    }

    mutating func addresses() throws(Malformed) -> [IPAddress] {
        let count = try count(itemBytes: 5)
        var values: [IPAddress] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try address()) }
        return values
    }

    /// A value of a `String`-backed enum, written as its raw value.
    mutating func raw<T: RawRepresentable<String>>(_: T.Type) throws(Malformed) -> T {
        let start = offset
        guard let value = T(rawValue: try string()) else { throw Malformed(offset: start) }
        return value
    }
}

/// A stable 128-bit digest of a file's bytes (the same in every process, unlike `Hasher`), which keys the cache: a
/// file is served from it only when its bytes are the ones its objects were decoded from. Two lanes of
/// multiply-and-rotate over 8-byte words, each finished with a full avalanche; not cryptographic, and it need not
/// be: the files are the operator's, and the cache lives where only root can write.
public struct ContentDigest: Sendable, Hashable {
    /// The two lanes.
    public var high: UInt64
    /// The two lanes.
    public var low: UInt64

    /// The digest of `bytes` (inlinable, so that it is specialized for the caller's collection of bytes).
    @inlinable
    public init(of bytes: some Collection<UInt8>) {
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F &+ UInt64(bytes.count)
        var word: UInt64 = 0
        var filled = 0
        for byte in bytes {
            word |= UInt64(byte) << (8 * UInt64(filled))
            filled += 1
            if filled == 8 {
                a = Self.mix(a, word, 0x87C3_7B91_1142_53D5, 31)
                b = Self.mix(b, word, 0x4CF5_AD43_2745_937F, 27)
                word = 0
                filled = 0
            }
        }
        if filled > 0 {
            a = Self.mix(a, word, 0x87C3_7B91_1142_53D5, 31)
            b = Self.mix(b, word, 0x4CF5_AD43_2745_937F, 27)
        }
        high = Self.avalanche(a ^ (b >> 1))
        low = Self.avalanche(b ^ (a << 1))
    }

    @usableFromInline
    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    @inlinable
    static func mix(_ lane: UInt64, _ word: UInt64, _ prime: UInt64, _ rotation: UInt64) -> UInt64 {
        let value = (lane ^ (word &* prime))
        return ((value << rotation) | (value >> (64 - rotation))) &* 0x9E37_79B9_7F4A_7C15 &+ 0x1656_67B1_9E37_79F9
    }

    @inlinable
    static func avalanche(_ value: UInt64) -> UInt64 {
        var value = value
        value ^= value >> 33
        value &*= 0xFF51_AFD7_ED55_8CCD
        value ^= value >> 33
        value &*= 0xC4CE_B9FE_1A85_EC53
        value ^= value >> 33
        return value
    }
}
