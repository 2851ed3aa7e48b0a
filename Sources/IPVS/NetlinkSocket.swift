import CNetlink
import Glibc

/// A netlink socket opened through libnl, used for raw sends of pre-built messages and bulk receives.
/// Not thread-safe: its `NetlinkConnection` serializes use.
final class NetlinkSocket: NetlinkTransport {
    private let handle: OpaquePointer
    /// The socket's file descriptor.
    let fd: Int32
    /// The receive buffer size the kernel granted, in bytes.
    private(set) var receiveBufferSize: Int = 0
    private var buffer: [UInt8] = []
    private var lengths: [UInt32] = []
    private var truncated: [UInt8] = []
    private var currentTimeout: Duration = .zero

    /// Opens and connects a socket for netlink protocol `proto` (NETLINK_GENERIC, NETLINK_ROUTE); a receive (libnl's
    /// family resolution included) waits at most `receiveTimeout`.
    init(protocol proto: Int32, bufferSize: Int = 32 << 20, receiveTimeout: Duration) throws {
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
        // libnl's own reads (the family resolution) ask for a page, growing only for a larger message: the kernel
        // sizes a socket's dump messages to the largest read it ever asked for (see `IPVSNetlinkClient.replySlot`).
        _ = nl_socket_set_msg_buf_size(handle, 4096)
        nl_socket_enable_msg_peek(handle)
        // Error acknowledgements carry only the header of the failed request, not all of it.
        _ = cnl_setsockopt_int(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1)
        receiveBufferSize = Int(max(cnl_getsockopt_int(fd, SOL_SOCKET, SO_RCVBUF), 0))
        try setReceiveTimeout(receiveTimeout)  // on failure deinit frees the handle: self is whole by now
    }

    /// Sets SO_RCVTIMEO unless it already has that value.
    private func setReceiveTimeout(_ timeout: Duration) throws {
        guard timeout != currentTimeout else { return }
        let (seconds, attoseconds) = timeout.components
        let rc = cnl_set_receive_timeout(fd, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        if rc < 0 { throw IPVSError.transport("set the receive timeout", errno: -rc) }
        currentTimeout = timeout
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

    /// Receives up to `limit` datagrams of at most `slot` bytes with one recvmmsg(2), waiting at most `timeout`
    /// (SO_RCVTIMEO) for the first; false when none came in time.
    func receive(
        limit: Int, slot: Int, timeout: Duration, _ body: (UnsafeRawBufferPointer, _ truncated: Bool) throws -> Void
    ) throws -> Bool {
        try receive(limit: limit, slot: slot, timeout: timeout, dontWait: false, body)
    }

    /// ``receive(limit:slot:timeout:_:)``, or, with `dontWait`, only what is queued already.
    func receive(
        limit: Int, slot: Int, timeout: Duration, dontWait: Bool,
        _ body: (UnsafeRawBufferPointer, _ truncated: Bool) throws -> Void
    ) throws -> Bool {
        try setReceiveTimeout(timeout)
        let count = min(max(limit, 1), Int(CNL_RECV_MANY_MAX))
        if buffer.count < count * slot { buffer = [UInt8](repeating: 0, count: count * slot) }
        if lengths.count < count {
            lengths = [UInt32](repeating: 0, count: count)
            truncated = [UInt8](repeating: 0, count: count)
        }
        return try buffer.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
            let received = lengths.withUnsafeMutableBufferPointer { lens in
                truncated.withUnsafeMutableBufferPointer { truncs in
                    cnl_recv_many(fd, base, slot, UInt32(count), lens.baseAddress, truncs.baseAddress, dontWait ? 1 : 0)
                }
            }
            if received == -EAGAIN || received == -EWOULDBLOCK { return false }
            if received < 0 { throw IPVSError.transport("receive", errno: -received) }
            for index in 0..<Int(received) {
                let datagram = UnsafeRawBufferPointer(start: base + index * slot, count: min(Int(lengths[index]), slot))
                try body(datagram, truncated[index] != 0)
            }
            return true
        }
    }
}
