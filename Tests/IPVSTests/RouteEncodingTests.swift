import Values
import Testing

@_spi(Encoding) @testable import IPVS

/// rtnetlink requests, against linux/rtnetlink.h (RTM_NEWLINK 16, RTM_NEWADDR 20, RTM_DELADDR 21),
/// if_link.h (IFLA_IFNAME 3, IFLA_LINKINFO 18, IFLA_INFO_KIND 1) and if_addr.h (IFA_ADDRESS 1, IFA_LOCAL 2).
@Suite struct RouteEncodingTests {
    typealias B = NetlinkBytes

    static func message(type: UInt16, flags: UInt16, seq: UInt32, _ body: [UInt8]) -> [UInt8] {
        B.u32(UInt32(16 + body.count)) + B.u16(type) + B.u16(flags) + B.u32(seq) + B.u32(0) + body
    }

    @Test func createDummyLink() {
        var encoder = NetlinkEncoder()
        RouteMessages.createDummy(name: "kube-ipvs0", sequence: 5, into: &encoder)
        let ifinfo: [UInt8] = [0, 0, 0, 0] + B.u32(0) + B.u32(1) + B.u32(1)
        let body =
            ifinfo + B.attr(3, Array("kube-ipvs0".utf8) + [0]) + B.nest(18, B.attr(1, Array("dummy".utf8) + [0]))
        // NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL (0x200) | NLM_F_CREATE (0x400)
        #expect(encoder.bytes == Self.message(type: 16, flags: 0x605, seq: 5, body))
    }

    @Test func addAndRemoveHostAddresses() throws {
        var encoder = NetlinkEncoder()
        let v4 = try #require(IPAddress("10.96.0.10"))
        RouteMessages.address(v4, add: true, index: 7, sequence: 1, into: &encoder)
        let header4: [UInt8] = [2, 32, 0, 0] + B.u32(7)
        // NLM_F_REQUEST | NLM_F_ACK | NLM_F_REPLACE (0x100) | NLM_F_CREATE (0x400)
        #expect(
            encoder.bytes
                == Self.message(type: 20, flags: 0x505, seq: 1, header4 + B.attr(2, v4.bytes) + B.attr(1, v4.bytes)))
        encoder.removeAll()
        let v6 = try #require(IPAddress("fd00::10"))
        RouteMessages.address(v6, add: false, index: 7, sequence: 2, into: &encoder)
        let header6: [UInt8] = [10, 128, 0x02, 0] + B.u32(7)  // IFA_F_NODAD
        #expect(
            encoder.bytes
                == Self.message(type: 21, flags: 0x5, seq: 2, header6 + B.attr(2, v6.bytes) + B.attr(1, v6.bytes)))
    }
}
