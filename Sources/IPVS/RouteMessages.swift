import Values
import CNetlink

/// Encodes the rtnetlink requests the VIP interface needs (uapi linux/rtnetlink.h, if_link.h, if_addr.h).
@_spi(Encoding)
public enum RouteMessages {
    static let request = UInt16(NLM_F_REQUEST)
    static let ack = UInt16(NLM_F_ACK)
    /// IFF_UP from linux/if.h.
    static let iffUp: UInt32 = 0x1

    /// struct ifinfomsg: family, pad, type, index, flags, change.
    static func linkHeader(index: Int32, flags: UInt32, change: UInt32) -> [UInt8] {
        var out: [UInt8] = [UInt8(AF_UNSPEC), 0, 0, 0]
        withUnsafeBytes(of: index) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: flags) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: change) { out.append(contentsOf: $0) }
        return out
    }

    /// struct ifaddrmsg: family, prefixlen, flags, scope, index.
    static func addressHeader(family: AddressFamily, prefixLength: UInt8, flags: UInt8, index: Int32) -> [UInt8] {
        var out: [UInt8] = [UInt8(truncatingIfNeeded: family.kernelValue), prefixLength, flags, UInt8(RT_SCOPE_UNIVERSE.rawValue)]
        withUnsafeBytes(of: UInt32(bitPattern: index)) { out.append(contentsOf: $0) }
        return out
    }

    /// RTM_GETLINK for one link by name (the reply is its RTM_NEWLINK, or ENODEV).
    public static func getLink(name: String, sequence: UInt32, into encoder: inout NetlinkEncoder) {
        let start = encoder.beginMessage(type: UInt16(RTM_GETLINK), flags: request | ack, sequence: sequence)
        encoder.raw(linkHeader(index: 0, flags: 0, change: 0))
        encoder.attribute(UInt16(IFLA_IFNAME), string: name)
        encoder.endMessage(start)
    }

    /// RTM_NEWLINK creating a dummy link `name` (NLM_F_CREATE | NLM_F_EXCL), already up.
    public static func createDummy(name: String, sequence: UInt32, into encoder: inout NetlinkEncoder) {
        let flags = request | ack | UInt16(NLM_F_CREATE) | UInt16(NLM_F_EXCL)
        let start = encoder.beginMessage(type: UInt16(RTM_NEWLINK), flags: flags, sequence: sequence)
        encoder.raw(linkHeader(index: 0, flags: iffUp, change: iffUp))
        encoder.attribute(UInt16(IFLA_IFNAME), string: name)
        let info = encoder.beginNested(UInt16(IFLA_LINKINFO))
        encoder.attribute(UInt16(IFLA_INFO_KIND), string: "dummy")
        encoder.endNested(info)
        encoder.endMessage(start)
    }

    /// RTM_DELLINK of link `index`.
    public static func deleteLink(index: Int32, sequence: UInt32, into encoder: inout NetlinkEncoder) {
        let start = encoder.beginMessage(type: UInt16(RTM_DELLINK), flags: request | ack, sequence: sequence)
        encoder.raw(linkHeader(index: index, flags: 0, change: 0))
        encoder.endMessage(start)
    }

    /// RTM_NEWLINK setting link `index` up.
    public static func setUp(index: Int32, sequence: UInt32, into encoder: inout NetlinkEncoder) {
        let start = encoder.beginMessage(type: UInt16(RTM_NEWLINK), flags: request | ack, sequence: sequence)
        encoder.raw(linkHeader(index: index, flags: iffUp, change: iffUp))
        encoder.endMessage(start)
    }

    /// RTM_NEWADDR (create or replace) or RTM_DELADDR of a host address (/32 or /128) on link `index`.
    public static func address(
        _ address: IPAddress, add: Bool, index: Int32, sequence: UInt32, into encoder: inout NetlinkEncoder
    ) {
        let type = UInt16(add ? RTM_NEWADDR : RTM_DELADDR)
        let flags = add ? request | ack | UInt16(NLM_F_CREATE) | UInt16(NLM_F_REPLACE) : request | ack
        let start = encoder.beginMessage(type: type, flags: flags, sequence: sequence)
        let hostPrefix: UInt8 = address.family == .ipv4 ? 32 : 128
        // IPv6: no duplicate address detection, so the VIP is usable at once.
        let addressFlags = address.family == .ipv6 ? UInt8(IFA_F_NODAD) : 0
        encoder.raw(addressHeader(family: address.family, prefixLength: hostPrefix, flags: addressFlags, index: index))
        encoder.attribute(UInt16(IFA_LOCAL), bytes: address.bytes)
        encoder.attribute(UInt16(IFA_ADDRESS), bytes: address.bytes)
        encoder.endMessage(start)
    }

    /// A dump request (RTM_GETLINK or RTM_GETADDR) for every family.
    public static func dump(_ type: UInt16, sequence: UInt32, into encoder: inout NetlinkEncoder) {
        let start = encoder.beginMessage(type: type, flags: request | UInt16(NLM_F_DUMP), sequence: sequence)
        if type == UInt16(RTM_GETLINK) {
            encoder.raw(linkHeader(index: 0, flags: 0, change: 0))
        } else {
            encoder.raw([UInt8(AF_UNSPEC), 0, 0, 0, 0, 0, 0, 0])
        }
        encoder.endMessage(start)
    }
}
