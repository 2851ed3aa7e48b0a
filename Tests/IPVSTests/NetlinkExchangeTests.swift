import CNetlink
import Glibc
import Testing

@_spi(Encoding) @testable import IPVS

/// The one exchange loop against scripted kernel replies: what the lab can only exercise by chance.
@Suite struct NetlinkExchangeTests {
    typealias K = ScriptedKernel

    /// A request of type 0x1c carrying its index as a 4-byte payload.
    static func encode(_ index: Int, _ sequence: UInt32, _ encoder: inout NetlinkEncoder) {
        let start = encoder.beginMessage(type: 0x1c, flags: UInt16(NLM_F_REQUEST | NLM_F_ACK), sequence: sequence)
        encoder.raw(NetlinkBytes.u32(UInt32(index)))
        encoder.endMessage(start)
    }

    /// Acknowledges every request of a send, with success.
    static let ackAll: @Sendable (Int, [K.Request]) -> [K.Datagram] = { _, requests in
        [K.Datagram(bytes: requests.flatMap { K.ack($0) })]
    }

    @Test func sendsAWindowPerDatagramWithConsecutiveSequenceNumbers() throws {
        let connection = NetlinkConnection.scripted(Self.ackAll)
        let errnos = try connection.exchange(count: 5, window: 2, slot: 4096, encode: Self.encode)
        #expect(errnos == [0, 0, 0, 0, 0])
        let sends = connection.record.sends
        #expect(sends.map(\.count) == [2, 2, 1])
        #expect(sends.flatMap { $0.map(\.sequence) } == [100, 101, 102, 103, 104])
        #expect(sends.flatMap { $0.map(\.payload) } == (0..<5).map { NetlinkBytes.u32(UInt32($0)) })
        #expect(connection.record.receives.allSatisfy { $0.timeout == .milliseconds(250) })
        // The next exchange goes on from the next sequence number.
        _ = try connection.exchange(count: 1, window: 1, slot: 4096, encode: Self.encode)
        #expect(connection.record.sends.last?.first?.sequence == 105)
    }

    /// Found by FuzzRouteMessages: an error code of Int32.min (no negated errno) trapped on negation.
    @Test func anErrorCodeThatIsNoErrnoIsAProtocolError() throws {
        let connection = NetlinkConnection.scripted { _, requests in
            requests.map { request in
                K.Datagram(
                    bytes: K.message(
                        type: UInt16(NLMSG_ERROR), sequence: request.sequence,
                        NetlinkBytes.u32(0x8000_0000) + [UInt8](repeating: 0, count: 16)))
            }
        }
        #expect(try connection.exchange(count: 2, window: 2, slot: 4096, encode: Self.encode) == [EPROTO, EPROTO])
    }

    @Test func matchesAcknowledgementsOutOfOrderBySequence() throws {
        let connection = NetlinkConnection.scripted { _, requests in
            // Reversed, one per datagram; request i fails with errno 10 + i except the first.
            requests.enumerated().reversed().map { index, request in
                K.Datagram(bytes: K.ack(request, errno: index == 0 ? 0 : Int32(10 + index)))
            }
        }
        let errnos = try connection.exchange(count: 4, window: 4, slot: 4096, encode: Self.encode)
        #expect(errnos == [0, 11, 12, 13])
    }

    @Test func ignoresStrayOldAndDuplicateReplies() throws {
        let connection = NetlinkConnection.scripted { _, requests in
            var stray = requests[0]
            stray.sequence = 99  // an answer to an earlier exchange
            var far = requests[0]
            far.sequence = 100_000
            return [
                K.Datagram(bytes: K.ack(stray, errno: EINVAL) + K.ack(far, errno: EINVAL)),
                K.Datagram(bytes: K.ack(requests[1], errno: EEXIST) + K.ack(requests[0])),
                // A second answer to a finished request changes nothing.
                K.Datagram(bytes: K.ack(requests[0], errno: ENOENT)),
            ]
        }
        let errnos = try connection.exchange(count: 2, window: 2, slot: 4096, encode: Self.encode)
        #expect(errnos == [0, EEXIST])
    }

    @Test func collectsMultipartDumpsUntilDone() throws {
        let connection = NetlinkConnection.scripted { _, requests in
            let dump = requests[0]
            return [
                K.Datagram(bytes: K.data(dump, type: 0x1c, [1, 0, 0, 0]) + K.data(dump, type: 0x1c, [2, 0, 0, 0])),
                K.Datagram(
                    bytes: K.message(type: UInt16(NLMSG_NOOP), sequence: dump.sequence, [])
                        + K.data(dump, type: 0x1c, [3, 0, 0, 0]) + K.done(dump)),
            ]
        }
        var parts: [(Int, [UInt8])] = []
        let errnos = try connection.exchange(count: 1, window: 1, slot: 32 << 10, encode: Self.encode) { index, message in
            parts.append((index, Array(message.payload)))
        }
        #expect(errnos == [0])
        #expect(parts.map(\.0) == [0, 0, 0])
        #expect(parts.map(\.1) == [[1, 0, 0, 0], [2, 0, 0, 0], [3, 0, 0, 0]])
    }

    @Test func dumpThatFailsReportsItsErrno() throws {
        let connection = NetlinkConnection.scripted { _, requests in
            [K.Datagram(bytes: K.done(requests[0], errno: EPERM))]
        }
        #expect(try connection.exchange(count: 1, window: 1, slot: 4096, encode: Self.encode) == [EPERM])
    }

    @Test func retriesBusyRequestsInLaterRounds() throws {
        // Request 1 is busy on its first two tries; the others succeed at once.
        let connection = NetlinkConnection.scripted { n, requests in
            requests.map { request in
                let index = request.payload[0]
                return K.Datagram(bytes: K.done(request, errno: index == 1 && n < 4 ? EBUSY : 0))
            }
        }
        var retried: [Int] = []
        let errnos = try connection.exchange(
            count: 3, window: 1, slot: 4096, busyRetries: 2, encode: Self.encode, willRetry: { retried.append($0) })
        #expect(errnos == [0, 0, 0])
        #expect(retried == [1, 1])
        #expect(connection.record.sends.map { $0.map { Int($0.payload[0]) } } == [[0], [1], [2], [1], [1]])
    }

    @Test func givesUpOnBusyAfterTheRetries() throws {
        let connection = NetlinkConnection.scripted { _, requests in
            requests.map { K.Datagram(bytes: K.done($0, errno: EBUSY)) }
        }
        let errnos = try connection.exchange(count: 1, window: 1, slot: 4096, busyRetries: 3, encode: Self.encode)
        #expect(errnos == [EBUSY])
        #expect(connection.record.sends.count == 4)
        // Without retries an EBUSY is simply reported.
        #expect(try connection.exchange(count: 1, window: 1, slot: 4096, encode: Self.encode) == [EBUSY])
        #expect(connection.record.sends.count == 5)
    }

    @Test func reportsATruncatedDatagram() {
        let connection = NetlinkConnection.scripted { _, requests in
            [K.Datagram(bytes: K.data(requests[0], type: 0x1c, [UInt8](repeating: 7, count: 200)) + K.done(requests[0]))]
        }
        #expect {
            _ = try connection.exchange(count: 1, window: 1, slot: 128, encode: Self.encode)
        } throws: { error in
            guard let error = error as? IPVSError else { return false }
            return error.code == .transport && error.message.contains("truncated")
                && error.message.contains("128 bytes")
        }
    }

    @Test func reportsAMalformedMessage() {
        let connection = NetlinkConnection.scripted { _, _ in
            [K.Datagram(bytes: NetlinkBytes.u32(4096) + [UInt8](repeating: 0, count: 12))]
        }
        #expect {
            _ = try connection.exchange(count: 1, window: 1, slot: 4096, encode: Self.encode)
        } throws: { error in
            (error as? IPVSError)?.code == .malformedReply
        }
    }

    @Test func aLostReplyTimesOutAndItsLateArrivalIsIgnored() throws {
        // The kernel answers the first of two requests and loses the second.
        let connection = NetlinkConnection.scripted { n, requests in
            n == 0 ? [K.Datagram(bytes: K.ack(requests[0]))] : requests.map { K.Datagram(bytes: K.ack($0)) }
        }
        #expect {
            _ = try connection.exchange(count: 2, window: 2, slot: 4096, encode: Self.encode)
        } throws: { error in
            guard let error = error as? IPVSError else { return false }
            return error.code == .timeout && error.message.contains("1 of 2 requests unanswered")
                && error.message.contains("scripted netlink")
        }
        // The lost reply turns up late, with an error, before the next exchange's answers: it is ignored.
        connection.inject([K.Datagram(bytes: K.ack(K.Request(type: 0x1c, flags: 5, sequence: 101, payload: []), errno: EIO))])
        #expect(try connection.exchange(count: 1, window: 1, slot: 4096, encode: Self.encode) == [0])
        #expect(connection.record.sends.last?.first?.sequence == 102)
    }

    @Test func readsAsManyDatagramsAsArePending() throws {
        let connection = NetlinkConnection.scripted { _, requests in requests.map { K.Datagram(bytes: K.ack($0)) } }
        _ = try connection.exchange(count: 40, window: 40, slot: 4096, encode: Self.encode)
        #expect(connection.record.receives.map(\.limit) == [40])
        _ = try connection.exchange(count: 2, window: 2, slot: 32 << 10, encode: Self.encode)
        #expect(connection.record.receives.last?.limit == 16)
        _ = try connection.exchange(count: 100, window: 100, slot: 32 << 10, encode: Self.encode)
        #expect(connection.record.receives.suffix(2).map(\.limit) == [64, 36])
    }
}
