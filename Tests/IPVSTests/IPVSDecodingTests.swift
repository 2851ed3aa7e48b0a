import Values
import Testing

@_spi(Encoding) @testable import IPVS

/// Replies are decoded from attribute bytes laid out as the kernel sends them in dumps.
@Suite struct IPVSDecodingTests {
    typealias B = NetlinkBytes

    static func decodeService(_ bytes: [UInt8]) -> VirtualServerState? {
        bytes.withUnsafeBytes { IPVSMessages.decodeService(NetlinkAttributes($0)) }
    }

    static func decodeDest(_ bytes: [UInt8], family: AddressFamily) -> RealServerState? {
        bytes.withUnsafeBytes { IPVSMessages.decodeDestination(NetlinkAttributes($0), family: family) }
    }

    static func u64(_ value: UInt64) -> [UInt8] { B.u32(UInt32(value & 0xffff_ffff)) + B.u32(UInt32(value >> 32)) }

    @Test func nestedFlagOnTheStatisticsNestIsIgnored() throws {
        let key = B.attr(1, B.u16(2)) + B.attr(2, B.u16(6)) + B.attr(3, [10, 96, 0, 10] + [UInt8](repeating: 0, count: 12))
        let bytes = key + B.attr(4, [0, 80]) + B.nest(12, B.attr(1, Self.u64(7)))
        let state = try #require(Self.decodeService(bytes))
        #expect(state.statistics.connections == 7)
    }

    @Test func serviceWithStats64AndHashedFlag() throws {
        let stats64 = (1...10).flatMap { B.attr(UInt16($0), Self.u64(UInt64($0) * 1_000_000_000_000)) }
        let bytes =
            B.attr(1, B.u16(2)) + B.attr(2, B.u16(6)) + B.attr(3, [10, 96, 0, 10] + [UInt8](repeating: 0, count: 12))
            + B.attr(4, [0, 80]) + B.attr(6, Array("wrr".utf8) + [0]) + B.attr(7, B.u32(0x2 | 0x1) + B.u32(0xffff_ffff))
            + B.attr(8, B.u32(300)) + B.attr(9, [0xff, 0xff, 0, 0]) + B.attr(10, B.attr(1, B.u32(5)))
            + B.attr(12, stats64)
        let state = try #require(Self.decodeService(bytes))
        #expect(state.server.key == .service(.tcp, .v4(IPv4Address(10, 96, 0, 10)), port: 80))
        #expect(state.server.scheduler == .weightedRoundRobin)
        #expect(state.server.flags == [])
        #expect(state.server.persistence == Persistence(timeout: 300, prefixLength: 16))
        #expect(state.statistics.connections == 1_000_000_000_000)
        #expect(state.statistics.outByteRate == 10_000_000_000_000)
    }

    @Test func firewallMarkServiceWithOnly32BitStats() throws {
        let stats = B.attr(1, B.u32(7)) + B.attr(2, B.u32(8)) + B.attr(4, Self.u64(9))
        let bytes =
            B.attr(1, B.u16(10)) + B.attr(5, B.u32(99)) + B.attr(6, Array("rr".utf8) + [0])
            + B.attr(7, B.u32(0x4) + B.u32(0xffff_ffff)) + B.attr(8, B.u32(0)) + B.attr(9, B.u32(128))
            + B.attr(10, stats)
        let state = try #require(Self.decodeService(bytes))
        #expect(state.server.key == .firewallMark(99, family: .ipv6))
        #expect(state.server.flags == .onePacket)
        #expect(state.server.persistence == nil)
        #expect(state.statistics.connections == 7)
        #expect(state.statistics.inPackets == 8)
        #expect(state.statistics.inBytes == 9)
    }

    @Test func destinationWithFamilyAndCounts() throws {
        let address = try #require(IPAddress("fd00::5"))
        let bytes =
            B.attr(1, address.kernelBytes) + B.attr(2, [0x1f, 0x90]) + B.attr(3, B.u32(2)) + B.attr(4, B.u32(5))
            + B.attr(5, B.u32(50)) + B.attr(6, B.u32(5)) + B.attr(7, B.u32(11)) + B.attr(8, B.u32(12))
            + B.attr(9, B.u32(13)) + B.attr(11, B.u16(10))
        let state = try #require(Self.decodeDest(bytes, family: .ipv4))
        #expect(
            state.server
                == RealServer(
                    address: address, port: 8080, weight: 5, forwarding: .tunnel, upperThreshold: 50,
                    lowerThreshold: 5))
        #expect(state.activeConnections == 11)
        #expect(state.inactiveConnections == 12)
        #expect(state.persistentConnections == 13)
    }

    @Test func missingKeyPartsGiveNil() {
        #expect(Self.decodeService(B.attr(1, B.u16(2)) + B.attr(2, B.u16(6))) == nil)
        #expect(Self.decodeService(B.attr(1, B.u16(99)) + B.attr(5, B.u32(1))) == nil)
        #expect(Self.decodeDest(B.attr(2, [0, 80]), family: .ipv4) == nil)
    }

    @Test(arguments: [
        VirtualServer(key: .service(.tcp, .v4(IPv4Address(1, 2, 3, 4)), port: 1), scheduler: .leastConnection),
        VirtualServer(
            key: .firewallMark(3, family: .ipv4), scheduler: "sh", flags: [.shPort],
            persistence: Persistence(timeout: 1, prefixLength: 0)),
        VirtualServer(
            key: .service(.udp, .v6(IPv6Address(high: 1, low: 2)), port: 65535), scheduler: "twos",
            flags: [.onePacket], persistence: Persistence(timeout: 86400, prefixLength: 1, family: .ipv6)),
    ])
    func encodedServiceDecodesToItself(server: VirtualServer) throws {
        var encoder = NetlinkEncoder()
        IPVSMessages.encodeService(server.key, full: server, into: &encoder)
        // Skip the IPVS_CMD_ATTR_SERVICE nest header: the decoder reads what is inside.
        let state = try #require(Self.decodeService(Array(encoder.bytes.dropFirst(4))))
        #expect(state.server == server)
    }

    @Test(arguments: 0...32)
    func ipv4NetmaskRoundTrips(prefix: Int) {
        let mask = IPVSMessages.netmask(prefixLength: UInt8(prefix), family: .ipv4)
        #expect(IPVSMessages.prefixLength(netmask: mask, family: .ipv4) == UInt8(prefix))
    }
}
