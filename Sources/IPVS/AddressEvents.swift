import Values
import CNetlink
import Glibc

/// Tells when the node's interface addresses change: an rtnetlink socket that joined the IPv4 and IPv6 address
/// groups (RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR), so the kernel sends it every RTM_NEWADDR and RTM_DELADDR.
/// It says only that something changed; the caller reads the addresses afresh (`VIPInterface.localAddresses`).
///
/// `waitForChange` blocks for at most its timeout: call it from a thread of your own, never from Swift's
/// cooperative pool.
public final class AddressEvents: Sendable {
    /// The socket is not Sendable; it is reachable only inside the mutex.
    struct Confined: @unchecked Sendable {
        let socket: NetlinkSocket
    }

    private let state: Locked<Confined>

    /// Opens the socket and joins the address groups.
    public init() throws {
        let socket = try NetlinkSocket(protocol: NETLINK_ROUTE, bufferSize: 1 << 20, receiveTimeout: .seconds(1))
        for group in [RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR] {
            let rc = cnl_setsockopt_int(socket.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, Int32(group.rawValue))
            if rc < 0 { throw IPVSError.transport("join the rtnetlink address groups", errno: -rc) }
        }
        state = Locked(Confined(socket: socket))
    }

    /// Waits at most `timeout` for address events and reads every one waiting; true when an address was added or
    /// removed (or events were lost because the socket's buffer overflowed: then the caller must read everything
    /// again anyway).
    public func waitForChange(timeout: Duration) throws -> Bool {
        try state.withLock { confined in
            var changed = false
            var wait = timeout
            while true {
                let got: Bool
                do {
                    got = try confined.socket.receive(limit: 64, slot: 32 << 10, timeout: wait) { datagram, _ in
                        if Self.holdsAddressChange(datagram) { changed = true }
                    }
                } catch let error as IPVSError where (error.cause as? IPVSErrorCause)?.os?.errno == ENOBUFS {
                    return true
                }
                // Events come in bursts (an interface going down takes all its addresses): read what else is
                // queued before answering, so one burst is one change.
                guard got else { return changed }
                wait = .milliseconds(20)
            }
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
