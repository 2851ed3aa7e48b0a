/// Independent, spelled-out little-endian builders for expected netlink bytes (x86-64 is little-endian, and
/// netlink uses host order), so encoding tests do not lean on the encoder they check.
enum NetlinkBytes {
    static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8)] }
    static func u32(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xff), UInt8(value >> 8 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 24)]
    }

    /// A nested attribute: `attr` with NLA_F_NESTED (0x8000) in its type, as libnl's nla_nest_start writes it.
    static func nest(_ type: UInt16, _ payload: [UInt8]) -> [UInt8] { attr(type | 0x8000, payload) }

    /// struct nlattr + payload + padding to four.
    static func attr(_ type: UInt16, _ payload: [UInt8]) -> [UInt8] {
        var out = u16(UInt16(4 + payload.count)) + u16(type) + payload
        while out.count % 4 != 0 { out.append(0) }
        return out
    }

    /// struct nlmsghdr (length computed) + genlmsghdr (version 1) + attributes.
    static func genl(type: UInt16, flags: UInt16, seq: UInt32, cmd: UInt8, _ body: [UInt8]) -> [UInt8] {
        let length = UInt32(16 + 4 + body.count)
        return u32(length) + u16(type) + u16(flags) + u32(seq) + u32(0) + [cmd, 1, 0, 0] + body
    }
}
