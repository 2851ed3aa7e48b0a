import CNetlink
import Foundation
import Logging
import Values

/// The kernel's IPVS over generic netlink: one connection, requests built in Swift, sent many per system call.
public final class IPVSNetlinkClient: IPVSKernel {
    let connection: NetlinkConnection
    let family: UInt16
    let logger: Logger
    /// Most requests in flight at once: bounded so the acknowledgements fit in the receive buffer.
    let window: Int
    /// Most dumps in flight at once: one. The kernel ends a dump only on the pass after the one that returned
    /// data, and it makes that pass when the reply is read; until then any other dump on the socket gets EBUSY.
    /// So a dump costs one send and one recvmmsg (data and NLMSG_DONE together).
    let dumpWindow = 1
    /// How many more rounds a real-server dump answered EBUSY is sent again.
    static let busyRetries = 8
    /// The size of each datagram read on this socket, dumps included: one page, as ipvsadm (libnl) reads. The kernel
    /// sizes every dump message it builds for a socket to the largest read that socket ever asked for (up to
    /// 32 KiB), and allocates and clears that much per dump: with 32 KiB reads, each virtual server's real-server
    /// dump of a re-read (one or two hundred bytes a real server) cost a cleared 32 KiB block, a tenth of the
    /// proxy's CPU while changes came in the emulated lab. A dump larger than a page comes in several datagrams.
    static let replySlot = 4096

    /// Opens a socket and resolves the IPVS family; throws `IPVSError.familyMissing` if ip_vs is not loaded.
    /// `window` caps the requests in flight (further capped by what the receive buffer can hold); a request with
    /// no reply within `receiveTimeout` fails with `.timeout`.
    public convenience init(logger: Logger, window: Int = 2048, receiveTimeout: Duration = .seconds(10)) throws {
        let socket = try NetlinkSocket(protocol: NETLINK_GENERIC, receiveTimeout: receiveTimeout)
        guard let id = try socket.resolveFamily(IPVS_GENL_NAME) else { throw IPVSError.familyMissing }
        // An acknowledgement takes about 1 KiB of receive buffer (skb overhead included); keep half free.
        let buffer = max(socket.receiveBufferSize, 64 << 10)
        let window = max(16, min(window, buffer / 2048))
        logger.debug(
            "IPVS netlink ready",
            metadata: ["family": "\(id)", "rcvbuf": "\(socket.receiveBufferSize)", "window": "\(window)"])
        let connection = NetlinkConnection(
            transport: socket, name: "generic netlink", receiveTimeout: receiveTimeout,
            firstSequence: UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970)), logger: logger)
        self.init(connection: connection, family: id, window: window, logger: logger)
    }

    /// A client over `connection`, for generic-netlink family `family` (the tests script its replies).
    init(connection: NetlinkConnection, family: UInt16, window: Int, logger: Logger) {
        self.connection = connection
        self.family = family
        self.window = window
        self.logger = logger
    }

    /// Sends one request and reads its reply: each data message's attributes (after the generic-netlink header)
    /// go to `onData`; returns the errno (0: success).
    func request(
        slot: Int = replySlot, _ encode: (UInt32, inout NetlinkEncoder) -> Void,
        onData: (NetlinkAttributes) -> Void = { _ in }
    ) throws -> Int32 {
        let errnos = try connection.exchange(count: 1, window: 1, slot: slot) { _, seq, encoder in
            encode(seq, &encoder)
        } onReply: { _, message in
            if let attributes = attributes(of: message) { onData(attributes) }
        }
        return errnos[0]
    }

    /// The attributes of an IPVS data message, or nil for another family's message.
    func attributes(of message: NetlinkMessageView) -> NetlinkAttributes? {
        guard message.type == family, message.payload.count >= 4 else { return nil }
        return NetlinkAttributes(UnsafeRawBufferPointer(rebasing: message.payload[4...]))
    }

    public func version() throws -> IPVSVersion {
        try get(UInt8(IPVS_CMD_GET_INFO), what: "IPVS info") { attributes in
            attributes.u32(UInt16(IPVS_INFO_ATTR_VERSION)).map {
                IPVSVersion(code: $0, connectionTableSize: attributes.u32(UInt16(IPVS_INFO_ATTR_CONN_TAB_SIZE)) ?? 0)
            }
        }
    }

    public func timeouts() throws -> IPVSTimeouts {
        try get(UInt8(IPVS_CMD_GET_CONFIG), what: "timeouts") { attributes in
            IPVSTimeouts(
                tcp: attributes.u32(UInt16(IPVS_CMD_ATTR_TIMEOUT_TCP)) ?? 0,
                tcpFin: attributes.u32(UInt16(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN)) ?? 0,
                udp: attributes.u32(UInt16(IPVS_CMD_ATTR_TIMEOUT_UDP)) ?? 0)
        }
    }

    /// One acknowledged GET `command` and the value `decode` reads from its reply; a refusal throws the kernel's
    /// errno, a reply without the value throws `.malformedReply` ("no `what` in the reply").
    private func get<T>(_ command: UInt8, what: String, _ decode: (NetlinkAttributes) -> T?) throws -> T {
        var result: T?
        let code = try request { seq, encoder in
            IPVSMessages.encodeCommand(command, flags: IPVSMessages.ack, family: family, sequence: seq, into: &encoder)
        } onData: { attributes in
            if let value = decode(attributes) { result = value }
        }
        if code != 0 { throw IPVSError.kernel(errno: code, request: "get \(what)") }
        guard let result else { throw IPVSError(code: .malformedReply, message: "no \(what) in the reply") }
        return result
    }

    public func setTimeouts(_ timeouts: IPVSTimeouts) throws {
        let code = try request { seq, encoder in
            IPVSMessages.encodeSetTimeouts(timeouts, family: family, sequence: seq, into: &encoder)
        }
        if code != 0 { throw IPVSError.kernel(errno: code, request: "set timeouts") }
    }

    public func flush() throws {
        let code = try request { seq, encoder in
            IPVSMessages.encodeCommand(
                UInt8(IPVS_CMD_FLUSH), flags: IPVSMessages.ack, family: family, sequence: seq, into: &encoder)
        }
        if code != 0 { throw IPVSError.kernel(errno: code, request: "flush") }
    }

    public func apply(_ operations: [IPVSOperation]) -> [Result<Void, IPVSError>] {
        if operations.isEmpty { return [] }
        var results = [Result<Void, IPVSError>?](repeating: nil, count: operations.count)
        var start = 0
        // One window per exchange, so that a transport failure leaves only that window's outcome unknown.
        while start < operations.count {
            let end = min(start + window, operations.count)
            do {
                let errnos = try connection.exchange(count: end - start, window: window, slot: 1024) { i, seq, enc in
                    IPVSMessages.encode(operations[start + i], family: family, sequence: seq, into: &enc)
                }
                for (offset, code) in errnos.enumerated() {
                    let operation = operations[start + offset]
                    results[start + offset] = code == 0 ? .success(()) : .failure(.kernel(errno: code, operation: operation))
                }
            } catch {
                let failure = error as? IPVSError ?? IPVSError(code: .transport, message: "\(error)")
                logger.error("IPVS batch transport failure", metadata: ["error": "\(failure)"])
                for index in start..<end where results[index] == nil {
                    var copy = failure
                    copy.object = operations[index].object
                    copy.message = "\(operations[index]): outcome unknown: \(failure.message)"
                    results[index] = .failure(copy)
                }
            }
            start = end
        }
        return results.map { $0 ?? .failure(IPVSError(code: .transport, message: "no acknowledgement")) }
    }
}
