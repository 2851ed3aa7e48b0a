/// The attributes found in a run of netlink attribute bytes, looked up by type (the NLA_F_* bits stripped).
/// Works on a view of a receive buffer: use it only while that buffer is alive.
struct NetlinkAttributes {
    private var entries: [(type: UInt16, start: Int, count: Int)] = []
    private let base: UnsafeRawBufferPointer

    /// Parses the attributes in `buffer`; stops at the first malformed one.
    init(_ buffer: UnsafeRawBufferPointer) {
        base = buffer
        var offset = 0
        while offset + 4 <= buffer.count {
            let length = Int(buffer.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            let type = buffer.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self) & 0x3fff
            guard length >= 4, offset + length <= buffer.count else { break }
            entries.append((type, offset + 4, length - 4))
            offset += (length + 3) & ~3
        }
    }

    /// The payload of the first attribute of `type`, or nil.
    subscript(_ type: UInt16) -> UnsafeRawBufferPointer? {
        guard let entry = entries.first(where: { $0.type == type }) else { return nil }
        return UnsafeRawBufferPointer(rebasing: base[entry.start..<(entry.start + entry.count)])
    }

    /// A native-order 16-bit value.
    func u16(_ type: UInt16) -> UInt16? {
        guard let payload = self[type], payload.count >= 2 else { return nil }
        return payload.loadUnaligned(as: UInt16.self)
    }

    /// A 16-bit value sent in network byte order.
    func be16(_ type: UInt16) -> UInt16? { u16(type).map { UInt16(bigEndian: $0) } }

    /// A native-order 32-bit value.
    func u32(_ type: UInt16) -> UInt32? {
        guard let payload = self[type], payload.count >= 4 else { return nil }
        return payload.loadUnaligned(as: UInt32.self)
    }

    /// A native-order 64-bit value.
    func u64(_ type: UInt16) -> UInt64? {
        guard let payload = self[type], payload.count >= 8 else { return nil }
        return payload.loadUnaligned(as: UInt64.self)
    }

    /// A NUL-terminated (or unterminated) string.
    func string(_ type: UInt16) -> String? {
        guard let payload = self[type] else { return nil }
        let end = payload.firstIndex(of: 0) ?? payload.count
        return String(decoding: payload[0..<end], as: UTF8.self)
    }

    /// The attributes nested in attribute `type`.
    func nested(_ type: UInt16) -> NetlinkAttributes? { self[type].map { NetlinkAttributes($0) } }

    /// Calls `body` with the payload of every attribute of `type`, in order (a nest of many attributes of one type,
    /// as a list of set elements), where the subscript gives the first only.
    func forEach(_ type: UInt16, _ body: (UnsafeRawBufferPointer) -> Void) {
        for entry in entries where entry.type == type {
            body(UnsafeRawBufferPointer(rebasing: base[entry.start..<(entry.start + entry.count)]))
        }
    }
}
