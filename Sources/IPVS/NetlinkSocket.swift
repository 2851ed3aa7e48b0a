import CNetlink
import Glibc

/// A netlink socket opened through libnl, used for raw sends of pre-built messages and bulk receives.
/// Not thread-safe: its owner serializes use.
final class NetlinkSocket {
    private let handle: OpaquePointer
    /// The socket's file descriptor.
    let fd: Int32
    /// The receive buffer size the kernel granted, in bytes.
    private(set) var receiveBufferSize: Int = 0
    private var buffer: [UInt8] = []
    private var lengths: [UInt32] = []
    private var truncated: [UInt8] = []

    /// Opens and connects a socket for netlink protocol `proto` (NETLINK_GENERIC, NETLINK_ROUTE).
    init(protocol proto: Int32, bufferSize: Int = 32 << 20) throws {
        guard let handle = nl_socket_alloc() else {
            throw IPVSError(code: .transport, message: "libnl could not allocate a netlink socket (out of memory)")
        }
        self.handle = handle
        let rc = nl_connect(handle, proto)
        if rc < 0 {
            nl_socket_free(handle)
            throw IPVSError(
                code: .transport, message: "could not open a netlink socket: \(String(cString: nl_geterror(rc)))",
                libnlCode: -rc)
        }
        fd = nl_socket_get_fd(handle)
        // Root can exceed net.core.[rw]mem_max with the FORCE options; others get what the limit allows.
        let size = Int32(clamping: bufferSize)
        if cnl_setsockopt_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, size) < 0
            || cnl_setsockopt_int(fd, SOL_SOCKET, SO_SNDBUFFORCE, size) < 0
        {
            _ = nl_socket_set_buffer_size(handle, size, size)
        }
        // Error acknowledgements carry only the header of the failed request, not all of it.
        _ = cnl_setsockopt_int(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1)
        receiveBufferSize = Int(max(cnl_getsockopt_int(fd, SOL_SOCKET, SO_RCVBUF), 0))
    }

    deinit { nl_socket_free(handle) }

    /// The generic-netlink family id of `name`, or nil if the kernel has no such family.
    func resolveFamily(_ name: String) throws -> UInt16? {
        let rc = genl_ctrl_resolve(handle, name)
        if rc >= 0 { return UInt16(truncatingIfNeeded: rc) }
        if -rc == NLE_OBJ_NOTFOUND { return nil }
        throw IPVSError(
            code: .transport,
            message: "resolving generic netlink family \(name) failed: \(String(cString: nl_geterror(rc)))",
            libnlCode: -rc)
    }

    /// Sends the bytes (one or more whole messages) to the kernel in one system call.
    func send(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { raw in
            cnl_send_kernel(fd, raw.baseAddress, raw.count)
        }
        if sent < 0 { throw IPVSError.transport("send", errno: Int32(-sent)) }
    }

    /// Receives up to `datagrams` datagrams of at most `slot` bytes with one recvmmsg(2), waiting for the first,
    /// and calls `body` for each netlink message in them.
    func receive(datagrams: Int, slot: Int, _ body: (NetlinkMessageView) throws -> Void) throws {
        let count = min(max(datagrams, 1), Int(CNL_RECV_MANY_MAX))
        if buffer.count < count * slot { buffer = [UInt8](repeating: 0, count: count * slot) }
        if lengths.count < count {
            lengths = [UInt32](repeating: 0, count: count)
            truncated = [UInt8](repeating: 0, count: count)
        }
        try buffer.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            let received = lengths.withUnsafeMutableBufferPointer { lens in
                truncated.withUnsafeMutableBufferPointer { truncs in
                    cnl_recv_many(fd, base, slot, UInt32(count), lens.baseAddress, truncs.baseAddress, 0)
                }
            }
            if received < 0 { throw IPVSError.transport("receive", errno: -received) }
            for index in 0..<Int(received) {
                if truncated[index] != 0 {
                    throw IPVSError(
                        code: .transport, message: "a netlink reply did not fit in \(slot) bytes and was truncated")
                }
                let datagram = UnsafeRawBufferPointer(start: base + index * slot, count: Int(lengths[index]))
                var offset = 0
                while offset + 16 <= datagram.count {
                    let length = Int(datagram.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                    guard length >= 16, offset + length <= datagram.count else {
                        throw IPVSError(code: .malformedReply, message: "a netlink message had a bad length")
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
    }
}

/// One received netlink message; its payload points into the socket's buffer and is valid only in the callback.
struct NetlinkMessageView {
    /// nlmsg_type: a family id, NLMSG_ERROR or NLMSG_DONE.
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
}
