import Values
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
        var reply = Reply(what: what, errno: 0, messages: [])
        let errnos = try connection.exchange(count: 1, window: 1, slot: 32 << 10) { _, seq, encoder in
            encode(seq, &encoder)
        } onReply: { _, message in
            reply.messages.append((message.type, Array(message.payload)))
        }
        reply.errno = errnos[0]
        return reply
    }

    /// Sends one acknowledged request per address, `batchWindow` per system call, and returns one result per
    /// address, in order; `ignored` is the errno that counts as success (EEXIST for add, EADDRNOTAVAIL for remove).
    func batch(
        _ addresses: [IPAddress], add: Bool, index: Int32, ignored: Int32
    ) throws -> [Result<Void, IPVSError>] {
        let errnos = try connection.exchange(count: addresses.count, window: Self.batchWindow, slot: 4096) {
            position, seq, encoder in
            RouteMessages.address(addresses[position], add: add, index: index, sequence: seq, into: &encoder)
        }
        return zip(addresses, errnos).map { address, errno in
            let what = add ? "add \(address) to \(name)" : "remove \(address) from \(name)"
            return Reply(what: what, errno: errno == ignored ? 0 : errno, messages: []).result
        }
    }
}
