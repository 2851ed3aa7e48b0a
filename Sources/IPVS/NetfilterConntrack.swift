import CNetlink
import Glibc
import Values

/// The kernel's conntrack table over netfilter netlink, through libnl's netfilter library (libnl-nf): one dump of
/// the whole table into a libnl cache, then one delete request per stale flow (libnl builds it from the dumped
/// entry: both tuples and the zone). Each cleanup opens a socket of its own and closes it, so it holds nothing
/// between cleanups and is safe to use from any thread. Blocks: every wait for the kernel is bounded by
/// `receiveTimeout` (SO_RCVTIMEO) and by the caller's deadline. Needs CAP_NET_ADMIN and the kernel's
/// `nf_conntrack_netlink` module (loaded on demand by the kernel when the socket asks for it).
public struct NetfilterConntrack: ConntrackCleaning {
    /// The longest wait for one answer from the kernel.
    public var receiveTimeout: Duration

    /// A conntrack table reader and cleaner.
    public init(receiveTimeout: Duration = .seconds(5)) {
        self.receiveTimeout = receiveTimeout
    }

    public func deleteFlows(
        limit: Int, deadline: ContinuousClock.Instant, where isStale: (ConntrackFlow) -> Bool
    ) throws -> ConntrackCleanupResult {
        guard let socket = nl_socket_alloc() else {
            throw IPVSError(code: .transport, message: "libnl could not allocate a netlink socket (out of memory)")
        }
        defer { nl_socket_free(socket) }
        try Self.check(nl_connect(socket, NETLINK_NETFILTER), "open a netfilter netlink socket")
        let clock = ContinuousClock()
        let wait = min(receiveTimeout, max(deadline - clock.now, .milliseconds(1)))
        let (seconds, attoseconds) = wait.components
        let rc = cnl_set_receive_timeout(
            nl_socket_get_fd(socket), seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        if rc < 0 { throw IPVSError.transport("set the receive timeout", errno: -rc) }

        var cache: OpaquePointer?
        try Self.check(nfnl_ct_alloc_cache(socket, &cache), "read the conntrack table")
        defer { nl_cache_free(cache) }
        var result = ConntrackCleanupResult()
        var stale: [OpaquePointer] = []
        var object = nl_cache_get_first(cache)
        while let entry = object {
            result.examined += 1
            if let flow = Self.flow(entry), isStale(flow) { stale.append(entry) }
            object = nl_cache_get_next(entry)
        }
        result.stale = stale.count
        for (index, entry) in stale.enumerated() {
            if index >= limit || clock.now >= deadline {
                result.leftOver = stale.count - index
                break
            }
            let answer = nfnl_ct_del(socket, entry, 0)
            if answer >= 0 {
                result.deleted += 1
            } else if -answer == NLE_OBJ_NOTFOUND {
                result.vanished += 1
            } else {
                result.failed += 1
                if result.firstError == nil { result.firstError = String(cString: nl_geterror(answer)) }
            }
        }
        return result
    }

    /// Throws a transport error for a negative libnl answer.
    private static func check(_ answer: Int32, _ what: String) throws {
        guard answer < 0 else { return }
        throw IPVSError(
            code: .transport, message: "could not \(what): \(String(cString: nl_geterror(answer)))",
            libnlCode: -answer)
    }

    /// The flow a libnl conntrack object describes; nil for a family or protocol the cleanup never touches.
    private static func flow(_ entry: OpaquePointer) -> ConntrackFlow? {
        let family: AddressFamily
        switch Int32(nfnl_ct_get_family(entry)) {
        case AF_INET: family = .ipv4
        case AF_INET6: family = .ipv6
        default: return nil
        }
        guard let transport = IPVSProtocol(kernelValue: UInt16(nfnl_ct_get_proto(entry))) else { return nil }
        func tuple(_ reply: Int32) -> ConntrackFlow.Tuple? {
            guard let source = address(nfnl_ct_get_src(entry, reply), family),
                let destination = address(nfnl_ct_get_dst(entry, reply), family)
            else { return nil }
            return ConntrackFlow.Tuple(
                source: source, sourcePort: nfnl_ct_get_src_port(entry, reply), destination: destination,
                destinationPort: nfnl_ct_get_dst_port(entry, reply))
        }
        guard let original = tuple(0), let reply = tuple(1) else { return nil }
        return ConntrackFlow(transport: transport, original: original, reply: reply)
    }

    /// The address a libnl address object holds.
    private static func address(_ address: OpaquePointer?, _ family: AddressFamily) -> IPAddress? {
        guard let address, let bytes = nl_addr_get_binary_addr(address) else { return nil }
        return IPAddress(
            kernelBytes: UnsafeRawBufferPointer(start: bytes, count: Int(nl_addr_get_len(address))), family: family)
    }
}
