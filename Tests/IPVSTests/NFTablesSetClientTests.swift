import Glibc
import Testing

@_spi(Encoding) @testable import IPVS

/// The nf_tables set-element batch over a scripted kernel: one datagram framed by the batch's begin and end, each
/// change one acknowledged message laid out as nft 1.0.6 lays out `add element` (`nft --debug=mnl`), and one refused
/// message failing the whole batch; sets read back with one dump each.
@Suite struct NFTablesSetClientTests {
    typealias K = ScriptedKernel

    /// `10.96.0.10 . tcp . 80` as the kernel stores it in a set of `ipv4_addr . inet_proto . inet_service`.
    static let key: [UInt8] = [10, 96, 0, 10, 6, 0, 0, 0, 0, 80, 0, 0]

    @Test func oneBatchInOneDatagramLaidOutAsNftDoes() throws {
        let connection = NetlinkConnection.scripted { _, requests in
            // Only the element messages ask for an acknowledgement.
            [K.Datagram(bytes: requests.filter { $0.flags & 0x4 != 0 }.flatMap { K.ack($0) })]
        }
        let writer = NFTablesSetClient(connection: connection)
        try writer.apply(
            table: "t",
            [
                NFTablesSetChange(set: "s", add: false, keys: [Self.key]),
                NFTablesSetChange(set: "empty", add: true, keys: []),
                NFTablesSetChange(set: "s", add: true, keys: [Self.key, Self.key]),
            ])
        let sends = connection.record.sends
        #expect(sends.count == 1, "one datagram")
        let requests = try #require(sends.first)
        #expect(requests.map(\.type) == [16, 0xA0E, 0xA0C, 17], "begin, DELSETELEM, NEWSETELEM, end; no empty change")
        #expect(requests.map(\.flags) == [0x1, 0x5, 0x405, 0x1])
        // AF_UNSPEC, NFNETLINK_V0, res_id NFNL_SUBSYS_NFTABLES (big-endian).
        #expect(requests[0].payload == [0, 0, 0, 10])
        #expect(requests[3].payload == [0, 0, 0, 10])
        // nfgenmsg (inet), table "t", set "s", then elements > element > key > value, as nft sends them.
        let element: [UInt8] =
            [1, 0, 0, 0]  // NFPROTO_INET, NFNETLINK_V0, res_id 0
            + [6, 0, 1, 0, 0x74, 0, 0, 0]  // NFTA_SET_ELEM_LIST_TABLE "t"
            + [6, 0, 2, 0, 0x73, 0, 0, 0]  // NFTA_SET_ELEM_LIST_SET "s"
            + [28, 0, 3, 0x80]  // NFTA_SET_ELEM_LIST_ELEMENTS, nested
            + [24, 0, 1, 0x80]  // NFTA_LIST_ELEM, nested
            + [20, 0, 1, 0x80]  // NFTA_SET_ELEM_KEY, nested
            + [16, 0, 1, 0] + Self.key  // NFTA_DATA_VALUE
        #expect(requests[1].payload == element)
        #expect(requests[2].payload.count == element.count + 24, "two keys in one message")
        #expect(Set(requests.map(\.sequence)).count == 2, "begin and end share their neighbours' sequence numbers")
    }

    @Test func aChangeOfManyKeysGoesAsSeveralMessagesOfOneBatch() throws {
        let connection = NetlinkConnection.scripted { _, requests in
            [K.Datagram(bytes: requests.filter { $0.flags & 0x4 != 0 }.flatMap { K.ack($0) })]
        }
        let keys = (0..<(NFTablesSetClient.keysPerMessage * 2 + 1)).map { [10, 244, UInt8($0 >> 8), UInt8($0 & 0xff)] }
        try NFTablesSetClient(connection: connection).apply(
            table: "t", [NFTablesSetChange(set: "vips-v4", add: true, keys: keys)])
        let requests = try #require(connection.record.sends.first)
        #expect(connection.record.sends.count == 1, "one datagram")
        #expect(requests.map(\.type) == [16, 0xA0C, 0xA0C, 0xA0C, 17], "begin, three NEWSETELEM, end")
        // Each element: list element (4) > key (4) > value (4 + 4).
        let header = 4 + 8 + 12 + 4
        #expect(requests[1...3].map(\.payload.count) == [1024, 1024, 1].map { header + 16 * $0 })
    }

    @Test func oneRefusedMessageFailsTheBatchNamingIt() {
        let connection = NetlinkConnection.scripted { _, requests in
            let acked = requests.filter { $0.flags & 0x4 != 0 }
            // An aborted batch: the applied-then-undone message acknowledged with 0, the refused one with ENOENT.
            return [K.Datagram(bytes: K.ack(acked[0]) + K.ack(acked[1], errno: ENOENT))]
        }
        let writer = NFTablesSetClient(connection: connection)
        let error = #expect(throws: IPVSError.self) {
            try writer.apply(
                table: "ipvs-proxy",
                [
                    NFTablesSetChange(set: "hairpin-v4", add: true, keys: [[10, 244, 0, 1, 10, 244, 0, 1]]),
                    NFTablesSetChange(set: "hairpin-v4", add: false, keys: [[10, 244, 0, 2, 10, 244, 0, 2]]),
                ])
        }
        #expect(error?.code == .notFound)
        #expect(error?.errno == ENOENT)
        #expect(error?.object == "delete 1 element(s) of set hairpin-v4 in table inet ipvs-proxy")
    }

    @Test func aSilentKernelTimesOut() {
        let writer = NFTablesSetClient(connection: .scripted { _, _ in [] })
        let error = #expect(throws: IPVSError.self) {
            try writer.apply(table: "t", [NFTablesSetChange(set: "s", add: true, keys: [Self.key])])
        }
        #expect(error?.code == .timeout)
    }

    /// One element of a dump reply: its key, its range end when given, and flags as the kernel adds them.
    static func element(_ key: [UInt8], end: [UInt8]? = nil) -> [UInt8] {
        typealias B = NetlinkBytes
        var fields = B.nest(1, B.attr(1, key))  // NFTA_SET_ELEM_KEY > NFTA_DATA_VALUE
        if let end { fields += B.nest(10, B.attr(1, end)) }  // NFTA_SET_ELEM_KEY_END
        fields += B.attr(3, [0, 0, 0, 0])  // NFTA_SET_ELEM_FLAGS
        return B.nest(1, fields)  // NFTA_LIST_ELEM
    }

    /// A NEWSETELEM message of a dump: nfgenmsg, table, set, elements.
    static func dumpPart(_ request: K.Request, set: String, _ elements: [[UInt8]]) -> [UInt8] {
        typealias B = NetlinkBytes
        let payload =
            [1, 0, 0, 0] + B.attr(1, Array("t".utf8) + [0]) + B.attr(2, Array(set.utf8) + [0])
            + B.nest(3, elements.flatMap { $0 })
        return K.data(request, type: 0xA0C, payload)
    }

    @Test func setsAreReadBackOneDumpAtATimeWithRangeEndsAfterTheirKeys() throws {
        let other: [UInt8] = [10, 96, 0, 11, 17, 0, 0, 0, 0, 53, 0, 0]
        let start: [UInt8] = Self.key + [10, 0, 0, 0]
        let end: [UInt8] = Self.key + [10, 255, 255, 255]
        let connection = NetlinkConnection.scripted { _, requests in
            requests.map { request in
                // The set's name is the second attribute, after the table "t" (8 bytes) and the nfgenmsg.
                let name = String(decoding: request.payload[16...].prefix { $0 != 0 }, as: UTF8.self)
                switch name {
                case "vip-ports":
                    // Two messages, then the end of the dump.
                    return K.Datagram(
                        bytes: Self.dumpPart(request, set: name, [Self.element(Self.key)])
                            + Self.dumpPart(request, set: name, [Self.element(other)]) + K.done(request))
                case "admitted":
                    return K.Datagram(
                        bytes: Self.dumpPart(request, set: name, [Self.element(start, end: end)]) + K.done(request))
                default:
                    return K.Datagram(bytes: K.done(request))
                }
            }
        }
        let client = NFTablesSetClient(connection: connection)
        let keys = try client.keys(table: "t", sets: ["vip-ports", "admitted", "empty"])
        #expect(keys == ["vip-ports": [Self.key, other], "admitted": [start + end], "empty": []])
        let sends = connection.record.sends
        #expect(sends.map(\.count) == [1, 1, 1], "one dump in flight at a time")
        let request = try #require(sends.first?.first)
        #expect(request.type == 0xA0D, "NFT_MSG_GETSETELEM")
        #expect(request.flags == 0x301, "NLM_F_REQUEST | NLM_F_DUMP")
        #expect(
            request.payload
                == [1, 0, 0, 0] + [6, 0, 1, 0, 0x74, 0, 0, 0]
                + [14, 0, 2, 0] + Array("vip-ports".utf8) + [0, 0, 0])
    }

    @Test func aMissingSetFailsTheReadNamingIt() {
        let connection = NetlinkConnection.scripted { _, requests in
            requests.map { K.Datagram(bytes: K.ack($0, errno: ENOENT)) }
        }
        let client = NFTablesSetClient(connection: connection)
        let error = #expect(throws: IPVSError.self) { try client.keys(table: "t", sets: ["gone"]) }
        #expect(error?.code == .notFound)
        #expect(error?.object == "list set gone of table inet t")
    }
}
