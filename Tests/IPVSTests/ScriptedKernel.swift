import CNetlink
import Glibc
import Logging

@_spi(Encoding) @testable import IPVS

/// A netlink transport that plays the kernel from a script, as mdlayher/netlink's `nltest` does: every send is
/// parsed and recorded, the script answers it with datagrams, and receives hand those out in order. When nothing
/// is queued a receive reports that its wait timed out, as a silent kernel would make SO_RCVTIMEO do.
final class ScriptedKernel: NetlinkTransport {
    /// One request as sent.
    struct Request {
        var type: UInt16
        var flags: UInt16
        var sequence: UInt32
        var payload: [UInt8]
    }

    /// One datagram the kernel sends back.
    struct Datagram {
        var bytes: [UInt8]
        var truncated = false
    }

    /// The requests of each send, in order.
    private(set) var sends: [[Request]] = []
    /// The `limit`, `slot` and `timeout` of each receive.
    private(set) var receives: [(limit: Int, slot: Int, timeout: Duration)] = []
    /// Datagrams not yet received.
    var queue: [Datagram] = []
    /// Answers the requests of send number `n` (from 0) with datagrams, appended to the queue.
    let script: @Sendable (_ n: Int, _ requests: [Request]) -> [Datagram]

    init(_ script: @escaping @Sendable (_ n: Int, _ requests: [Request]) -> [Datagram]) {
        self.script = script
    }

    func send(_ bytes: [UInt8]) throws {
        var requests: [Request] = []
        try bytes.withUnsafeBytes { raw in
            try NetlinkMessageView.forEach(in: raw) { message in
                requests.append(
                    Request(
                        type: message.type, flags: message.flags, sequence: message.sequence,
                        payload: Array(message.payload)))
            }
        }
        queue += script(sends.count, requests)
        sends.append(requests)
    }

    func receive(
        limit: Int, slot: Int, timeout: Duration, _ body: (UnsafeRawBufferPointer, Bool) throws -> Void
    ) throws -> Bool {
        receives.append((limit, slot, timeout))
        guard !queue.isEmpty else { return false }
        let batch = queue.prefix(limit)
        queue.removeFirst(batch.count)
        for datagram in batch {
            let kept = Array(datagram.bytes.prefix(slot))
            try kept.withUnsafeBytes { try body($0, datagram.truncated || datagram.bytes.count > slot) }
        }
        return true
    }

    // MARK: Replies, spelled out byte by byte (little-endian, as netlink on x86-64 and arm64).

    /// A netlink message: header (length computed, port id 0) and payload padded to four.
    static func message(type: UInt16, flags: UInt16 = 0, sequence: UInt32, _ payload: [UInt8]) -> [UInt8] {
        var out = NetlinkBytes.u32(UInt32(16 + payload.count)) + NetlinkBytes.u16(type) + NetlinkBytes.u16(flags)
            + NetlinkBytes.u32(sequence) + NetlinkBytes.u32(0) + payload
        while out.count % 4 != 0 { out.append(0) }
        return out
    }

    /// NLMSG_ERROR for `request`: the (negated) errno, then the request's header, as with NETLINK_CAP_ACK.
    static func ack(_ request: Request, errno: Int32 = 0) -> [UInt8] {
        let header =
            NetlinkBytes.u32(UInt32(16 + request.payload.count)) + NetlinkBytes.u16(request.type)
            + NetlinkBytes.u16(request.flags) + NetlinkBytes.u32(request.sequence) + NetlinkBytes.u32(0)
        return message(
            type: UInt16(NLMSG_ERROR), sequence: request.sequence,
            NetlinkBytes.u32(UInt32(bitPattern: -errno)) + header)
    }

    /// NLMSG_DONE ending a dump, with its error code.
    static func done(_ request: Request, errno: Int32 = 0) -> [UInt8] {
        message(
            type: UInt16(NLMSG_DONE), flags: UInt16(NLM_F_MULTI), sequence: request.sequence,
            NetlinkBytes.u32(UInt32(bitPattern: -errno)))
    }

    /// A part of a multipart reply.
    static func data(_ request: Request, type: UInt16, _ payload: [UInt8]) -> [UInt8] {
        message(type: type, flags: UInt16(NLM_F_MULTI), sequence: request.sequence, payload)
    }
}

extension NetlinkConnection {
    /// A connection over a kernel that answers as `script` says, with sequence numbers from 100.
    static func scripted(
        timeout: Duration = .milliseconds(250),
        _ script: @escaping @Sendable (_ n: Int, _ requests: [ScriptedKernel.Request]) -> [ScriptedKernel.Datagram]
    ) -> NetlinkConnection {
        NetlinkConnection(
            transport: ScriptedKernel(script), name: "scripted netlink", receiveTimeout: timeout, firstSequence: 100,
            logger: Logger(label: "test"))
    }

    /// The scripted kernel's record: the requests of each send, and each receive's limit, slot and timeout.
    var record: (sends: [[ScriptedKernel.Request]], receives: [(limit: Int, slot: Int, timeout: Duration)]) {
        withTransport { transport in
            guard let kernel = transport as? ScriptedKernel else { return ([], []) }
            return (kernel.sends, kernel.receives)
        }
    }

    /// Queues datagrams the kernel sends unasked (late or stray replies).
    func inject(_ datagrams: [ScriptedKernel.Datagram]) {
        withTransport { ($0 as? ScriptedKernel)?.queue += datagrams }
    }
}
