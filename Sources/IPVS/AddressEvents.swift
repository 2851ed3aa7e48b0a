import Values
import CNetlink
import Glibc

/// Tells when the node's interface addresses change: an rtnetlink socket that joined the IPv4 and IPv6 address
/// groups (RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR), so the kernel sends it every RTM_NEWADDR and RTM_DELADDR.
/// It says only that something changed; the caller reads the addresses afresh (`VIPInterface.localAddresses`).
///
/// ``nextChange(until:burst:)`` sleeps on the socket (``ReadableWait``, a thread of its own) until the kernel
/// queues an event: an idle node costs no timer. Its reads never block.
public final class AddressEvents: Sendable {
    /// The socket is not Sendable; it is reachable only inside the mutex.
    struct Confined: @unchecked Sendable {
        let socket: NetlinkSocket
    }

    private let state: Locked<Confined>
    private let readable: ReadableWait

    /// Opens the socket and joins the address groups.
    public init() throws {
        let socket = try NetlinkSocket(protocol: NETLINK_ROUTE, bufferSize: 1 << 20, receiveTimeout: .seconds(1))
        for group in [RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR] {
            let rc = cnl_setsockopt_int(socket.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, Int32(group.rawValue))
            if rc < 0 { throw IPVSError.transport("join the rtnetlink address groups", errno: -rc) }
        }
        do {
            readable = try ReadableWait(descriptor: socket.fd)
        } catch {
            throw IPVSError.transport("make the address events' wake-up descriptor", errno: error.errno)
        }
        state = Locked(Confined(socket: socket))
    }

    /// Waits until an address is added or removed (true) or `deadline` passes (false); true too when events were
    /// lost because the socket's buffer overflowed (the caller must read everything again anyway). Events come in
    /// bursts (an interface going down takes all its addresses): once one is queued, the rest of the burst is
    /// awaited for `burst`, so that one burst is one change. Throws `CancellationError` when the task is
    /// cancelled.
    public func nextChange(until deadline: ContinuousClock.Instant, burst: Duration = .milliseconds(20)) async throws
        -> Bool
    {
        while true {
            guard try await readable.wait(until: deadline) == .readable else { return false }
            try await Task.sleep(for: burst)
            if try readQueued() { return true }
        }
    }

    /// Reads every datagram queued, without waiting: true when one held an address change (or some were lost).
    func readQueued() throws -> Bool {
        try state.withLock { confined in
            var changed = false
            // The socket's own timeout: with dontWait it is never waited.
            let timeout = Duration.seconds(1)
            do {
                var more = true
                while more {
                    more = try confined.socket.receive(limit: 64, slot: 32 << 10, timeout: timeout, dontWait: true) {
                        datagram, _ in
                        if Self.holdsAddressChange(datagram) { changed = true }
                    }
                }
            } catch let error as IPVSError where (error.cause as? IPVSErrorCause)?.os?.errno == ENOBUFS {
                return true
            }
            return changed
        }
    }

    /// True when a datagram holds an RTM_NEWADDR or RTM_DELADDR message.
    static func holdsAddressChange(_ datagram: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset + 16 <= datagram.count {
            let length = Int(datagram.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            let type = datagram.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self)
            if type == UInt16(RTM_NEWADDR) || type == UInt16(RTM_DELADDR) { return true }
            guard length >= 16 else { return false }
            offset += (length + 3) & ~3
        }
        return false
    }
}
