import Values
import Testing

@_spi(Encoding) @testable import IPVS

/// Requests must carry exactly the attributes linux/ip_vs.h defines. The numbers below are the uapi values:
/// IPVS_CMD_NEW_SERVICE 1, SET_SERVICE 2, DEL_SERVICE 3, GET_SERVICE 4, NEW_DEST 5, SET_DEST 6, DEL_DEST 7,
/// GET_DEST 8, SET_CONFIG 12, FLUSH 17; IPVS_CMD_ATTR_SERVICE 1, DEST 2, TIMEOUT_TCP 4, TCP_FIN 5, UDP 6;
/// IPVS_SVC_ATTR_AF 1, PROTOCOL 2, ADDR 3, PORT 4, FWMARK 5, SCHED_NAME 6, FLAGS 7, TIMEOUT 8, NETMASK 9;
/// IPVS_DEST_ATTR_ADDR 1, PORT 2, FWD_METHOD 3, WEIGHT 4, U_THRESH 5, L_THRESH 6, ADDR_FAMILY 11.
@Suite struct IPVSEncodingTests {
    typealias B = NetlinkBytes
    static let family: UInt16 = 0x1c
    static let requestAck: UInt16 = 0x0005
    static let vip = IPAddress.v4(IPv4Address(10, 96, 0, 10))

    static func encode(_ operation: IPVSOperation, seq: UInt32 = 7) -> [UInt8] {
        var encoder = NetlinkEncoder()
        IPVSMessages.encode(operation, family: family, sequence: seq, into: &encoder)
        return encoder.bytes
    }

    static let tcpKey: [UInt8] =
        B.attr(1, B.u16(2)) + B.attr(2, B.u16(6)) + B.attr(3, [10, 96, 0, 10] + [UInt8](repeating: 0, count: 12))
        + B.attr(4, [0x00, 0x50])

    @Test func addVirtualServer() {
        let server = VirtualServer(key: .service(.tcp, Self.vip, port: 80), scheduler: .roundRobin)
        let service =
            Self.tcpKey + B.attr(6, Array("rr".utf8) + [0]) + B.attr(7, B.u32(0) + B.u32(0xffff_ffff))
            + B.attr(8, B.u32(0)) + B.attr(9, [0xff, 0xff, 0xff, 0xff])
        let expected = B.genl(type: Self.family, flags: Self.requestAck, seq: 7, cmd: 1, B.nest(1, service))
        #expect(Self.encode(.addVirtualServer(server)) == expected)
        #expect(expected.count == 104)
    }

    @Test func updatePersistentOnePacketUDPWithMask() {
        let server = VirtualServer(
            key: .service(.udp, Self.vip, port: 53), scheduler: .sourceHashing, flags: [.onePacket, .shFallback, .shPort],
            persistence: Persistence(timeout: 600, prefixLength: 24))
        let key =
            B.attr(1, B.u16(2)) + B.attr(2, B.u16(17)) + B.attr(3, [10, 96, 0, 10] + [UInt8](repeating: 0, count: 12))
            + B.attr(4, [0x00, 53])
        let service =
            key + B.attr(6, Array("sh".utf8) + [0]) + B.attr(7, B.u32(0x1 | 0x4 | 0x8 | 0x10) + B.u32(0xffff_ffff))
            + B.attr(8, B.u32(600)) + B.attr(9, [0xff, 0xff, 0xff, 0x00])
        let expected = B.genl(type: Self.family, flags: Self.requestAck, seq: 7, cmd: 2, B.nest(1, service))
        #expect(Self.encode(.updateVirtualServer(server)) == expected)
    }

    @Test func ipv6PersistenceNetmaskIsAPrefixLength() throws {
        let address = try #require(IPAddress("fd00::10"))
        let server = VirtualServer(
            key: .service(.sctp, address, port: 443), scheduler: .maglev,
            persistence: Persistence(timeout: 30, prefixLength: 64, family: .ipv6))
        let service =
            B.attr(1, B.u16(10)) + B.attr(2, B.u16(132)) + B.attr(3, address.bytes) + B.attr(4, [0x01, 0xbb])
            + B.attr(6, Array("mh".utf8) + [0]) + B.attr(7, B.u32(1) + B.u32(0xffff_ffff)) + B.attr(8, B.u32(30))
            + B.attr(9, B.u32(64))
        let expected = B.genl(type: Self.family, flags: Self.requestAck, seq: 9, cmd: 1, B.nest(1, service))
        #expect(Self.encode(.addVirtualServer(server), seq: 9) == expected)
    }

    @Test func deleteFirewallMarkServiceSendsOnlyTheKey() {
        let expected = B.genl(
            type: Self.family, flags: Self.requestAck, seq: 7, cmd: 3,
            B.nest(1, B.attr(1, B.u16(2)) + B.attr(5, B.u32(42))))
        #expect(Self.encode(.deleteVirtualServer(.firewallMark(42, family: .ipv4))) == expected)
    }

    @Test func addRealServer() throws {
        let real = RealServer(
            address: try #require(IPAddress("10.244.1.5")), port: 8080, weight: 3, forwarding: .route,
            upperThreshold: 100, lowerThreshold: 10)
        let dest =
            B.attr(1, [10, 244, 1, 5] + [UInt8](repeating: 0, count: 12)) + B.attr(2, [0x1f, 0x90])
            + B.attr(3, B.u32(3)) + B.attr(4, B.u32(3)) + B.attr(5, B.u32(100)) + B.attr(6, B.u32(10))
            + B.attr(11, B.u16(2))
        let expected = B.genl(
            type: Self.family, flags: Self.requestAck, seq: 7, cmd: 5, B.nest(1, Self.tcpKey) + B.nest(2, dest))
        #expect(Self.encode(.addRealServer(real, to: .service(.tcp, Self.vip, port: 80))) == expected)
    }

    @Test(arguments: [
        (ForwardingMethod.masquerade, UInt32(0)), (.local, 1), (.tunnel, 2), (.route, 3),
    ])
    func forwardingMethodValues(method: ForwardingMethod, value: UInt32) {
        #expect(method.kernelValue == value)
        #expect(ForwardingMethod(kernelValue: value) == method)
    }

    @Test func updateAndDeleteRealServer() throws {
        let address = try #require(IPAddress("10.244.1.5"))
        let key = VirtualServerKey.service(.tcp, Self.vip, port: 80)
        let update = Self.encode(.updateRealServer(RealServer(address: address, port: 80, weight: 0), in: key))
        #expect(update[16] == 6)  // genlmsghdr.cmd, right after the 16-byte nlmsghdr: = IPVS_CMD_SET_DEST
        let dest = B.attr(1, address.kernelBytes) + B.attr(2, [0, 80]) + B.attr(11, B.u16(2))
        let expected = B.genl(
            type: Self.family, flags: Self.requestAck, seq: 7, cmd: 7, B.nest(1, Self.tcpKey) + B.nest(2, dest))
        #expect(Self.encode(.deleteRealServer(RealServerEndpoint(address: address, port: 80), from: key)) == expected)
    }

    @Test func negativeWeightIsTwosComplement() throws {
        let real = RealServer(address: try #require(IPAddress("10.0.0.1")), port: 1, weight: -1)
        let bytes = Self.encode(.addRealServer(real, to: .firewallMark(1, family: .ipv4)))
        #expect(bytes.count > 0)
        var found = false
        for index in stride(from: 0, to: bytes.count - 8, by: 4) where bytes[index..<index + 4] == [8, 0, 4, 0] {
            found = bytes[(index + 4)..<(index + 8)] == [0xff, 0xff, 0xff, 0xff]
        }
        #expect(found)
    }

    @Test func dumpAndCommands() {
        var encoder = NetlinkEncoder()
        IPVSMessages.encodeCommand(4, flags: 0x300, family: Self.family, sequence: 1, into: &encoder)
        #expect(encoder.bytes == B.genl(type: Self.family, flags: 0x301, seq: 1, cmd: 4, []))
        encoder.removeAll()
        IPVSMessages.encodeServiceQuery(
            8, key: .service(.tcp, Self.vip, port: 80), flags: 0x300, family: Self.family, sequence: 2, into: &encoder)
        #expect(encoder.bytes == B.genl(type: Self.family, flags: 0x301, seq: 2, cmd: 8, B.nest(1, Self.tcpKey)))
        encoder.removeAll()
        IPVSMessages.encodeSetTimeouts(
            IPVSTimeouts(tcp: 900, tcpFin: 120, udp: 300), family: Self.family, sequence: 3, into: &encoder)
        #expect(
            encoder.bytes
                == B.genl(
                    type: Self.family, flags: Self.requestAck, seq: 3, cmd: 12,
                    B.attr(4, B.u32(900)) + B.attr(5, B.u32(120)) + B.attr(6, B.u32(300))))
    }

    @Test func batchMessagesGoBackToBackWithTheirOwnSequenceNumbers() {
        var encoder = NetlinkEncoder()
        let ops: [IPVSOperation] = [
            .deleteVirtualServer(.firewallMark(1, family: .ipv4)), .deleteVirtualServer(.firewallMark(2, family: .ipv6)),
        ]
        for (index, op) in ops.enumerated() {
            IPVSMessages.encode(op, family: Self.family, sequence: 100 + UInt32(index), into: &encoder)
        }
        #expect(encoder.bytes == Self.encode(ops[0], seq: 100) + Self.encode(ops[1], seq: 101))
    }
}
