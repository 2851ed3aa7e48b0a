import CNetlink
import Glibc
import Testing
import Values

@_spi(Encoding) @testable import IPVS

/// libnl as an independent oracle: the same requests built with libnl's own `genlmsg_put`, `nla_put*` and
/// `nla_nest_*` (as ipvsadm's libipvs builds them) must come out byte for byte as `NetlinkEncoder` builds them.
@Suite struct LibnlOracleTests {
    static let family: UInt16 = 0x1c
    static let vip = IPAddress.v4(IPv4Address(10, 96, 0, 10))

    /// A message built through libnl.
    final class Message {
        let msg: OpaquePointer

        init() throws {
            guard let msg = nlmsg_alloc() else { throw IPVSError(code: .other, message: "nlmsg_alloc failed") }
            self.msg = msg
        }

        deinit { nlmsg_free(msg) }

        /// nlmsghdr + genlmsghdr through genlmsg_put.
        func generic(family: UInt16, flags: UInt16, sequence: UInt32, command: some BinaryInteger) {
            _ = genlmsg_put(
                msg, 0, sequence, Int32(family), 0, Int32(flags), UInt8(command), UInt8(IPVS_GENL_VERSION))
        }

        /// nlmsghdr through nlmsg_put, then a fixed header (ifinfomsg, ifaddrmsg).
        func route(type: some BinaryInteger, flags: some BinaryInteger, sequence: UInt32, header: [UInt8]) {
            _ = nlmsg_put(msg, 0, sequence, Int32(type), 0, Int32(flags))
            var header = header
            _ = nlmsg_append(msg, &header, header.count, Int32(NLMSG_ALIGNTO))
        }

        func u16(_ type: some BinaryInteger, _ value: UInt16) { _ = nla_put_u16(msg, Int32(type), value) }
        func u32(_ type: some BinaryInteger, _ value: UInt32) { _ = nla_put_u32(msg, Int32(type), value) }
        func string(_ type: some BinaryInteger, _ value: String) { _ = nla_put_string(msg, Int32(type), value) }
        func bytes(_ type: some BinaryInteger, _ value: [UInt8]) {
            var value = value
            _ = nla_put(msg, Int32(type), Int32(value.count), &value)
        }

        func nest(_ type: some BinaryInteger, _ body: () -> Void) {
            let start = nla_nest_start(msg, Int32(type))
            body()
            _ = nla_nest_end(msg, start)
        }

        /// The message's bytes, nlmsg_len of them.
        var encoded: [UInt8] {
            guard let header = nlmsg_hdr(msg) else { return [] }
            return Array(UnsafeRawBufferPointer(start: header, count: Int(header.pointee.nlmsg_len)))
        }
    }

    static func ours(_ build: (inout NetlinkEncoder) -> Void) -> [UInt8] {
        var encoder = NetlinkEncoder()
        build(&encoder)
        return encoder.bytes
    }

    static func serviceKey(_ m: Message, _ address: IPAddress, proto: UInt16, port: UInt16) {
        m.u16(IPVS_SVC_ATTR_AF, address.family.kernelValue)
        m.u16(IPVS_SVC_ATTR_PROTOCOL, proto)
        m.bytes(IPVS_SVC_ATTR_ADDR, address.kernelBytes)
        m.u16(IPVS_SVC_ATTR_PORT, port.bigEndian)
    }

    @Test func addVirtualServerWithPersistence() throws {
        let server = VirtualServer(
            key: .service(.udp, Self.vip, port: 53), scheduler: .sourceHashing, flags: [.shPort],
            persistence: Persistence(timeout: 600, prefixLength: 24))
        let m = try Message()
        m.generic(family: Self.family, flags: 0x5, sequence: 7, command: IPVS_CMD_NEW_SERVICE)
        m.nest(IPVS_CMD_ATTR_SERVICE) {
            Self.serviceKey(m, Self.vip, proto: 17, port: 53)
            m.string(IPVS_SVC_ATTR_SCHED_NAME, "sh")
            // struct ip_vs_flags { flags, mask }: SH_PORT (0x10) and PERSISTENT (0x1), every bit in the mask.
            m.bytes(IPVS_SVC_ATTR_FLAGS, NetlinkBytes.u32(0x11) + NetlinkBytes.u32(0xffff_ffff))
            m.u32(IPVS_SVC_ATTR_TIMEOUT, 600)
            m.u32(IPVS_SVC_ATTR_NETMASK, UInt32(0xffff_ff00).bigEndian)
        }
        let encoded = Self.ours {
            IPVSMessages.encode(.addVirtualServer(server), family: Self.family, sequence: 7, into: &$0)
        }
        #expect(encoded == m.encoded)
    }

    @Test func deleteFirewallMarkVirtualServer() throws {
        let m = try Message()
        m.generic(family: Self.family, flags: 0x5, sequence: 8, command: IPVS_CMD_DEL_SERVICE)
        m.nest(IPVS_CMD_ATTR_SERVICE) {
            m.u16(IPVS_SVC_ATTR_AF, 10)
            m.u32(IPVS_SVC_ATTR_FWMARK, 42)
        }
        let encoded = Self.ours {
            IPVSMessages.encode(
                .deleteVirtualServer(.firewallMark(42, family: .ipv6)), family: Self.family, sequence: 8, into: &$0)
        }
        #expect(encoded == m.encoded)
    }

    @Test func addRealServer() throws {
        let key = VirtualServerKey.service(.tcp, Self.vip, port: 80)
        let real = RealServer(
            address: .v4(IPv4Address(10, 244, 1, 2)), port: 8080, weight: 3, forwarding: .tunnel, upperThreshold: 100,
            lowerThreshold: 10)
        let m = try Message()
        m.generic(family: Self.family, flags: 0x5, sequence: 9, command: IPVS_CMD_NEW_DEST)
        m.nest(IPVS_CMD_ATTR_SERVICE) { Self.serviceKey(m, Self.vip, proto: 6, port: 80) }
        m.nest(IPVS_CMD_ATTR_DEST) {
            m.bytes(IPVS_DEST_ATTR_ADDR, real.address.kernelBytes)
            m.u16(IPVS_DEST_ATTR_PORT, UInt16(8080).bigEndian)
            m.u32(IPVS_DEST_ATTR_FWD_METHOD, UInt32(IP_VS_CONN_F_TUNNEL))
            m.u32(IPVS_DEST_ATTR_WEIGHT, 3)
            m.u32(IPVS_DEST_ATTR_U_THRESH, 100)
            m.u32(IPVS_DEST_ATTR_L_THRESH, 10)
            m.u16(IPVS_DEST_ATTR_ADDR_FAMILY, UInt16(AF_INET))
        }
        let encoded = Self.ours {
            IPVSMessages.encode(.addRealServer(real, to: key), family: Self.family, sequence: 9, into: &$0)
        }
        #expect(encoded == m.encoded)
    }

    @Test func deleteIPv6RealServer() throws {
        let vip = try #require(IPAddress("fd00::10"))
        let backend = try #require(IPAddress("fd00:244::7"))
        let key = VirtualServerKey.service(.sctp, vip, port: 443)
        let m = try Message()
        m.generic(family: Self.family, flags: 0x5, sequence: 10, command: IPVS_CMD_DEL_DEST)
        m.nest(IPVS_CMD_ATTR_SERVICE) { Self.serviceKey(m, vip, proto: 132, port: 443) }
        m.nest(IPVS_CMD_ATTR_DEST) {
            m.bytes(IPVS_DEST_ATTR_ADDR, backend.bytes)
            m.u16(IPVS_DEST_ATTR_PORT, UInt16(8443).bigEndian)
            m.u16(IPVS_DEST_ATTR_ADDR_FAMILY, UInt16(AF_INET6))
        }
        let encoded = Self.ours {
            IPVSMessages.encode(
                .deleteRealServer(RealServerEndpoint(address: backend, port: 8443), from: key), family: Self.family,
                sequence: 10, into: &$0)
        }
        #expect(encoded == m.encoded)
    }

    @Test func setTimeoutsAndDumpRequests() throws {
        let timeouts = try Message()
        timeouts.generic(family: Self.family, flags: 0x5, sequence: 11, command: IPVS_CMD_SET_CONFIG)
        timeouts.u32(IPVS_CMD_ATTR_TIMEOUT_TCP, 900)
        timeouts.u32(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, 120)
        timeouts.u32(IPVS_CMD_ATTR_TIMEOUT_UDP, 300)
        #expect(
            Self.ours {
                IPVSMessages.encodeSetTimeouts(
                    IPVSTimeouts(tcp: 900, tcpFin: 120, udp: 300), family: Self.family, sequence: 11, into: &$0)
            } == timeouts.encoded)

        let dump = try Message()
        dump.generic(family: Self.family, flags: UInt16(NLM_F_REQUEST | NLM_F_DUMP), sequence: 12, command: IPVS_CMD_GET_DEST)
        dump.nest(IPVS_CMD_ATTR_SERVICE) { Self.serviceKey(dump, Self.vip, proto: 6, port: 80) }
        #expect(
            Self.ours {
                IPVSMessages.encodeServiceQuery(
                    UInt8(IPVS_CMD_GET_DEST), key: .service(.tcp, Self.vip, port: 80), flags: IPVSMessages.dump,
                    family: Self.family, sequence: 12, into: &$0)
            } == dump.encoded)
    }

    @Test func routeAddressAndDummyLinkRequests() throws {
        let address = try Message()
        // ifaddrmsg: AF_INET, /32, no flags, universe scope, link 7.
        address.route(
            type: RTM_NEWADDR, flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, sequence: 13,
            header: [2, 32, 0, 0] + NetlinkBytes.u32(7))
        address.bytes(IFA_LOCAL, [10, 96, 0, 10])
        address.bytes(IFA_ADDRESS, [10, 96, 0, 10])
        #expect(
            Self.ours { RouteMessages.address(Self.vip, add: true, index: 7, sequence: 13, into: &$0) }
                == address.encoded)

        let link = try Message()
        // ifinfomsg: AF_UNSPEC, pad, type 0, index 0, flags IFF_UP, change IFF_UP.
        link.route(
            type: RTM_NEWLINK, flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, sequence: 14,
            header: [0, 0, 0, 0] + NetlinkBytes.u32(0) + NetlinkBytes.u32(1) + NetlinkBytes.u32(1))
        link.string(IFLA_IFNAME, "kube-ipvs0")
        link.nest(IFLA_LINKINFO) { link.string(IFLA_INFO_KIND, "dummy") }
        #expect(Self.ours { RouteMessages.createDummy(name: "kube-ipvs0", sequence: 14, into: &$0) } == link.encoded)
    }
}
