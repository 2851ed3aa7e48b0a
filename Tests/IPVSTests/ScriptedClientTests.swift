import CNetlink
import Glibc
import Logging
import Testing
import Values

@_spi(Encoding) @testable import IPVS

/// The IPVS client and the VIP link over scripted kernel replies: their use of the one exchange loop.
@Suite struct ScriptedClientTests {
    typealias K = ScriptedKernel
    typealias B = NetlinkBytes
    static let family: UInt16 = 0x1c

    /// A GET_SERVICE or GET_DEST reply part: the genl header, then one nested attribute.
    static func part(_ request: K.Request, command: UInt8, nest: UInt16, _ attributes: [UInt8]) -> [UInt8] {
        K.data(request, type: family, [command, 1, 0, 0] + B.attr(nest, attributes))
    }

    static func service(port: UInt16) -> [UInt8] {
        B.attr(1, B.u16(2)) + B.attr(2, B.u16(6)) + B.attr(3, [10, 96, 0, 1] + [UInt8](repeating: 0, count: 12))
            + B.attr(4, [UInt8(port >> 8), UInt8(port & 0xff)]) + B.attr(6, Array("rr".utf8) + [0])
    }

    static func destination(_ last: UInt8) -> [UInt8] {
        B.attr(1, [10, 244, 0, last] + [UInt8](repeating: 0, count: 12)) + B.attr(2, [0x1f, 0x90])
            + B.attr(4, B.u32(1))
    }

    static func client(
        window: Int = 2048, _ script: @escaping @Sendable (Int, [K.Request]) -> [K.Datagram]
    ) -> IPVSNetlinkClient {
        IPVSNetlinkClient(
            connection: .scripted(script), family: family, window: window, logger: Logger(label: "test"))
    }

    @Test func dumpsServicesThenTheirRealServersRetryingABusyDump() throws {
        let client = Self.client { n, requests in
            let request = requests[0]
            switch n {
            case 0:  // GET_SERVICE dump: two services.
                return [
                    K.Datagram(
                        bytes: Self.part(request, command: 4, nest: 1, Self.service(port: 80))
                            + Self.part(request, command: 4, nest: 1, Self.service(port: 443)) + K.done(request))
                ]
            case 1:  // The first GET_DEST dump is refused: another dump is still running.
                return [K.Datagram(bytes: K.ack(request, errno: EBUSY))]
            case 2:
                return [
                    K.Datagram(bytes: Self.part(request, command: 8, nest: 2, Self.destination(3)) + K.done(request))
                ]
            default:
                return [
                    K.Datagram(
                        bytes: Self.part(request, command: 8, nest: 2, Self.destination(1))
                            + Self.part(request, command: 8, nest: 2, Self.destination(2)) + K.done(request))
                ]
            }
        }
        let table = try client.virtualServers()
        #expect(table.map(\.server.key.description) == ["TCP 10.96.0.1:80", "TCP 10.96.0.1:443"])
        #expect(
            table.map { $0.realServers.map(\.server.address.description) } == [
                ["10.244.0.1", "10.244.0.2"], ["10.244.0.3"],
            ])
        let sends = client.connection.record.sends
        #expect(sends.map(\.count) == [1, 1, 1, 1])
        #expect(sends.map { $0[0].payload[0] } == [4, 8, 8, 8])
        #expect(sends.allSatisfy { $0[0].flags & UInt16(NLM_F_DUMP) == UInt16(NLM_F_DUMP) })
        // Every read asks for one page at most: the kernel sizes (and clears) each dump message it builds for the
        // socket to the largest read the socket ever asked for.
        let slots = client.connection.record.receives.map(\.slot)
        #expect(!slots.isEmpty && slots.allSatisfy { $0 <= 4096 })
    }

    @Test func aVanishedServiceIsDroppedFromTheDump() throws {
        let client = Self.client { n, requests in
            let request = requests[0]
            if n == 0 {
                return [
                    K.Datagram(
                        bytes: Self.part(request, command: 4, nest: 1, Self.service(port: 80))
                            + Self.part(request, command: 4, nest: 1, Self.service(port: 81)) + K.done(request))
                ]
            }
            return [K.Datagram(bytes: n == 1 ? K.ack(request, errno: ESRCH) : K.done(request))]
        }
        #expect(try client.virtualServers().map(\.server.key.description) == ["TCP 10.96.0.1:81"])
    }

    @Test func aTransportFailureLeavesOnlyItsWindowUnknown() throws {
        let key = VirtualServerKey.service(.tcp, .v4(IPv4Address(10, 96, 0, 1)), port: 80)
        let operations: [IPVSOperation] = [
            .addVirtualServer(VirtualServer(key: key)),
            .addRealServer(RealServer(address: .v4(IPv4Address(10, 244, 0, 1)), port: 80), to: key),
            .addRealServer(RealServer(address: .v4(IPv4Address(10, 244, 0, 2)), port: 80), to: key),
        ]
        // The first window is answered (the real server exists already); the second never is.
        let client = Self.client(window: 2) { n, requests in
            n == 0 ? [K.Datagram(bytes: K.ack(requests[0]) + K.ack(requests[1], errno: EEXIST))] : []
        }
        let results = client.apply(operations)
        #expect(results.count == 3)
        #expect((try? results[0].get()) != nil)
        guard case .failure(let exists) = results[1], case .failure(let lost) = results[2] else {
            Issue.record("expected two failures: \(results)")
            return
        }
        #expect(exists.code == .alreadyExists)
        #expect(exists.errno == EEXIST)
        #expect(lost.code == .timeout)
        #expect(lost.object == operations[2].object)
        #expect(lost.message.contains("outcome unknown"))
        #expect(client.connection.record.sends.map(\.count) == [2, 1])
    }

    @Test func vipLinkAddsABatchToTheLinkItLookedUp() throws {
        let connection = NetlinkConnection.scripted { n, requests in
            if n == 0 {  // RTM_GETLINK: the link is index 7.
                let link: [UInt8] = [0, 0, 0, 0] + B.u32(7) + B.u32(0) + B.u32(0)
                let reply = K.message(type: UInt16(RTM_NEWLINK), sequence: requests[0].sequence, link)
                return [K.Datagram(bytes: reply + K.ack(requests[0]))]
            }
            return [K.Datagram(bytes: K.ack(requests[0], errno: EEXIST) + K.ack(requests[1], errno: EINVAL))]
        }
        let link = VIPInterface(name: "kube-ipvs0", connection: connection, logger: Logger(label: "test"))
        let addresses: [IPAddress] = [.v4(IPv4Address(10, 96, 0, 1)), .v4(IPv4Address(10, 96, 0, 2))]
        let results = try link.add(addresses)
        #expect((try? results[0].get()) != nil)
        guard case .failure(let refused) = results[1] else {
            Issue.record("expected a failure: \(results)")
            return
        }
        #expect(refused.code == .invalidArgument)
        #expect(refused.errno == EINVAL)
        #expect(refused.object == "add 10.96.0.2 to kube-ipvs0")
        let sends = connection.record.sends
        let types: [[UInt16]] = sends.map { $0.map(\.type) }
        let getLink = UInt16(RTM_GETLINK)
        let newAddress = UInt16(RTM_NEWADDR)
        #expect(types == [[getLink], [newAddress, newAddress]])
        // ifaddrmsg: family, prefix length, flags, scope, then the link index.
        let header: [UInt8] = [2, 32, 0, 0] + B.u32(7)
        #expect(sends[1].map { Array($0.payload[0..<8]) } == [header, header])
    }

    static let linkStates: [(flags: UInt32, expected: [[UInt16]])] = [
        (0x1, [[UInt16(RTM_GETLINK)]]),  // up: looked up only
        (0, [[UInt16(RTM_GETLINK)], [UInt16(RTM_NEWLINK)]]),  // down: set up
    ]

    @Test(arguments: linkStates)
    func vipLinkIsSetUpOnlyWhenDown(flags: UInt32, expected: [[UInt16]]) throws {
        let connection = NetlinkConnection.scripted { n, requests in
            if n == 0 {  // RTM_GETLINK: the link is index 7, with these flags.
                let link: [UInt8] = [0, 0, 0, 0] + B.u32(7) + B.u32(flags) + B.u32(0)
                let reply = K.message(type: UInt16(RTM_NEWLINK), sequence: requests[0].sequence, link)
                return [K.Datagram(bytes: reply + K.ack(requests[0]))]
            }
            return [K.Datagram(bytes: K.ack(requests[0]))]
        }
        let link = VIPInterface(name: "kube-ipvs0", connection: connection, logger: Logger(label: "test"))
        #expect(try link.ensureLink() == 7)
        #expect(connection.record.sends.map { $0.map(\.type) } == expected, "a link already up is not written to")
    }

    @Test func vipLinkLookupTimesOut() {
        let link = VIPInterface(
            name: "kube-ipvs0", connection: .scripted { _, _ in [] }, logger: Logger(label: "test"))
        #expect {
            _ = try link.linkIndex()
        } throws: { error in
            (error as? IPVSError)?.code == .timeout
        }
    }

    @Test func someVirtualServersAreAskedForTogetherThenTheirRealServersOneDumpEach() throws {
        let client = Self.client { n, requests in
            switch n {
            case 0:  // Three GET_SERVICE requests in one send: 80 and 443 exist, 81 does not.
                return requests.enumerated().map { index, request in
                    guard index != 1 else { return K.Datagram(bytes: K.ack(request, errno: ENOENT)) }
                    let port: UInt16 = index == 0 ? 80 : 443
                    let reply = K.message(
                        type: Self.family, sequence: request.sequence,
                        [4, 1, 0, 0] + B.attr(1, Self.service(port: port)))
                    return K.Datagram(bytes: reply + K.ack(request))
                }
            default:  // The real servers of 80, then of 443.
                let request = requests[0]
                return [
                    K.Datagram(
                        bytes: Self.part(request, command: 8, nest: 2, Self.destination(UInt8(n))) + K.done(request))
                ]
            }
        }
        let vip = try #require(IPAddress("10.96.0.1"))
        let keys = [UInt16(80), 81, 443].map { VirtualServerKey.service(.tcp, vip, port: $0) }
        let states = try client.virtualServers(keys)
        #expect(states.map { $0?.server.key } == [keys[0], nil, keys[2]])
        #expect(
            states.map { $0?.realServers.map(\.server.address.description) } == [["10.244.0.1"], nil, ["10.244.0.2"]])
        let sends = client.connection.record.sends
        #expect(sends.map(\.count) == [3, 1, 1], "the services together, then a dump each")
        #expect(sends[0].allSatisfy { $0.flags & UInt16(NLM_F_DUMP) == 0 && $0.payload[0] == 4 })
        #expect(client.connection.record.receives.allSatisfy { $0.slot <= 4096 }, "one page a read, as above")
    }
}
