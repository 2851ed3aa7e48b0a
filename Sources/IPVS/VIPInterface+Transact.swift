import CNetlink
import Glibc

extension VIPInterface {
    /// A reply to one rtnetlink request: its errno (0: success) and the data messages, copied out.
    struct Reply {
        var what: String
        var errno: Int32
        var messages: [(type: UInt16, payload: [UInt8])]

        /// Throws the errno as an `IPVSError` naming the request.
        func check() throws {
            try result.get()
        }

        /// Success, or the errno as an `IPVSError` naming the request.
        var result: Result<Void, IPVSError> {
            guard errno != 0 else { return .success(()) }
            if errno == EPERM || errno == EACCES {
                return .failure(
                    IPVSError(
                        code: .permissionDenied, message: "\(what): permission denied: needs root or CAP_NET_ADMIN",
                        errno: errno, object: what))
            }
            return .failure(
                IPVSError(
                    code: errno == EINVAL ? .invalidArgument : .other,
                    message: "\(what): \(String(cString: strerror(errno)))", errno: errno, object: what))
        }
    }

    /// Sends one request (with NLM_F_ACK or NLM_F_DUMP) and reads until its acknowledgement or NLMSG_DONE.
    func transact(_ what: String, _ encode: (UInt32, inout NetlinkEncoder) -> Void) throws -> Reply {
        lock.lock()
        defer { lock.unlock() }
        let seq = sequence
        sequence &+= 1
        var encoder = NetlinkEncoder(capacity: 256)
        encode(seq, &encoder)
        try socket.send(encoder.bytes)
        var reply = Reply(what: what, errno: 0, messages: [])
        var finished = false
        while !finished {
            try socket.receive(datagrams: 16, slot: 32 << 10) { message in
                guard message.sequence == seq, !finished else { return }
                switch Int32(message.type) {
                case NLMSG_ERROR, NLMSG_DONE:
                    reply.errno = -message.errorCode
                    finished = true
                case NLMSG_NOOP, NLMSG_OVERRUN:
                    break
                default:
                    reply.messages.append((message.type, Array(message.payload)))
                }
            }
        }
        return reply
    }
}
