import Glibc

/// The byte-level seam under the one netlink exchange loop: whole datagrams out, whole datagrams in. The real
/// one is `NetlinkSocket` (libnl's socket, sendto(2) and recvmmsg(2)); the unit tests script the kernel's replies.
protocol NetlinkTransport: AnyObject {
    /// Sends `bytes` (one or more whole netlink messages) to the kernel in one datagram.
    func send(_ bytes: [UInt8]) throws

    /// Waits at most `timeout` for a datagram, then reads up to `limit` datagrams of at most `slot` bytes and
    /// calls `body` with each one's bytes and whether it was truncated (longer than `slot`). Returns false when
    /// nothing arrived within `timeout`.
    func receive(
        limit: Int, slot: Int, timeout: Duration, _ body: (UnsafeRawBufferPointer, _ truncated: Bool) throws -> Void
    ) throws -> Bool
}

/// One received netlink message; its payload points into the receive buffer and is valid only in the callback.
struct NetlinkMessageView {
    /// nlmsg_type: a family id or message type, NLMSG_ERROR or NLMSG_DONE.
    var type: UInt16
    /// nlmsg_flags.
    var flags: UInt16
    /// nlmsg_seq.
    var sequence: UInt32
    /// The bytes after the netlink header.
    var payload: UnsafeRawBufferPointer

    /// For NLMSG_ERROR and NLMSG_DONE: the error code (0 or a negative errno).
    var errorCode: Int32 {
        payload.count >= 4 ? payload.loadUnaligned(as: Int32.self) : 0
    }

    /// For NLMSG_ERROR and NLMSG_DONE: the positive errno (0: success). A code that is no negated errno (positive,
    /// or Int32.min, which has no negation) reads as EPROTO.
    var replyErrno: Int32 {
        errorCode > 0 || errorCode == .min ? EPROTO : -errorCode
    }

    /// Calls `body` with each message in `datagram`; throws `.malformedReply` on a length that does not fit.
    static func forEach(in datagram: UnsafeRawBufferPointer, _ body: (NetlinkMessageView) throws -> Void) throws {
        var offset = 0
        while offset + 16 <= datagram.count {
            let length = Int(datagram.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            guard length >= 16, offset + length <= datagram.count else {
                throw IPVSError(
                    code: .malformedReply,
                    message: "a netlink message had a bad length (\(length) at offset \(offset) of \(datagram.count))")
            }
            try body(
                NetlinkMessageView(
                    type: datagram.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self),
                    flags: datagram.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self),
                    sequence: datagram.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self),
                    payload: UnsafeRawBufferPointer(rebasing: datagram[(offset + 16)..<(offset + length)])
                ))
            offset += (length + 3) & ~3
        }
    }
}
