import CNetlink
import Foundation
import Logging
import Values

/// The kernel's IPVS over generic netlink: one socket, requests built in Swift, sent many per system call.
public final class IPVSNetlinkClient: IPVSKernel, @unchecked Sendable {
    let socket: NetlinkSocket
    let family: UInt16
    let logger: Logger
    /// Most requests in flight at once: bounded so the acknowledgements fit in the receive buffer.
    let window: Int
    /// Most dumps in flight at once: one. The kernel ends a dump only on the pass after the one that returned
    /// data, and it makes that pass when the reply is read; until then any other dump on the socket gets EBUSY.
    /// So a dump costs one send and one recvmmsg (data and NLMSG_DONE together).
    let dumpWindow = 1
    let lock = NSLock()
    var nextSequence: UInt32
    var encoder = NetlinkEncoder(capacity: 1 << 20)

    /// Opens a socket and resolves the IPVS family; throws `IPVSError.familyMissing` if ip_vs is not loaded.
    /// `window` caps the requests in flight (further capped by what the receive buffer can hold).
    public init(logger: Logger, window: Int = 2048) throws {
        self.logger = logger
        socket = try NetlinkSocket(protocol: NETLINK_GENERIC)
        guard let id = try socket.resolveFamily(IPVS_GENL_NAME) else { throw IPVSError.familyMissing }
        family = id
        // An acknowledgement takes about 1 KiB of receive buffer (skb overhead included); keep half free.
        let buffer = max(socket.receiveBufferSize, 64 << 10)
        self.window = max(16, min(window, buffer / 2048))
        nextSequence = UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970))
        logger.debug(
            "IPVS netlink ready",
            metadata: ["family": "\(id)", "rcvbuf": "\(socket.receiveBufferSize)", "window": "\(self.window)"])
    }

    public func version() throws -> IPVSVersion {
        try withLock {
            var result: IPVSVersion?
            let errors = try exchange(count: 1, window: 1, slot: 4096) { _, seq, encoder in
                IPVSMessages.encodeCommand(
                    UInt8(IPVS_CMD_GET_INFO), flags: IPVSMessages.ack, family: family, sequence: seq, into: &encoder)
            } onData: { _, attributes in
                if let code = attributes.u32(UInt16(IPVS_INFO_ATTR_VERSION)) {
                    result = IPVSVersion(
                        code: code, connectionTableSize: attributes.u32(UInt16(IPVS_INFO_ATTR_CONN_TAB_SIZE)) ?? 0)
                }
            }
            if errors[0] != 0 { throw IPVSError.kernel(errno: errors[0], request: "get IPVS info") }
            guard let result else { throw IPVSError(code: .malformedReply, message: "no version in IPVS info reply") }
            return result
        }
    }

    public func timeouts() throws -> IPVSTimeouts {
        try withLock {
            var result: IPVSTimeouts?
            let errors = try exchange(count: 1, window: 1, slot: 4096) { _, seq, encoder in
                IPVSMessages.encodeCommand(
                    UInt8(IPVS_CMD_GET_CONFIG), flags: IPVSMessages.ack, family: family, sequence: seq,
                    into: &encoder)
            } onData: { _, attributes in
                result = IPVSTimeouts(
                    tcp: attributes.u32(UInt16(IPVS_CMD_ATTR_TIMEOUT_TCP)) ?? 0,
                    tcpFin: attributes.u32(UInt16(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN)) ?? 0,
                    udp: attributes.u32(UInt16(IPVS_CMD_ATTR_TIMEOUT_UDP)) ?? 0)
            }
            if errors[0] != 0 { throw IPVSError.kernel(errno: errors[0], request: "get timeouts") }
            guard let result else { throw IPVSError(code: .malformedReply, message: "no timeouts in reply") }
            return result
        }
    }

    public func setTimeouts(_ timeouts: IPVSTimeouts) throws {
        try withLock {
            let errors = try exchange(count: 1, window: 1, slot: 4096) { _, seq, encoder in
                IPVSMessages.encodeSetTimeouts(timeouts, family: family, sequence: seq, into: &encoder)
            } onData: { _, _ in }
            if errors[0] != 0 { throw IPVSError.kernel(errno: errors[0], request: "set timeouts") }
        }
    }

    public func flush() throws {
        try withLock {
            let errors = try exchange(count: 1, window: 1, slot: 4096) { _, seq, encoder in
                IPVSMessages.encodeCommand(
                    UInt8(IPVS_CMD_FLUSH), flags: IPVSMessages.ack, family: family, sequence: seq, into: &encoder)
            } onData: { _, _ in }
            if errors[0] != 0 { throw IPVSError.kernel(errno: errors[0], request: "flush") }
        }
    }

    public func apply(_ operations: [IPVSOperation]) -> [Result<Void, IPVSError>] {
        if operations.isEmpty { return [] }
        return withLock {
            var results = [Result<Void, IPVSError>?](repeating: nil, count: operations.count)
            var start = 0
            while start < operations.count {
                let end = min(start + window, operations.count)
                let chunk = operations[start..<end]
                do {
                    let errors = try exchange(count: chunk.count, window: chunk.count, slot: 1024) { index, seq, enc in
                        IPVSMessages.encode(chunk[start + index], family: family, sequence: seq, into: &enc)
                    } onData: { _, _ in }
                    for (offset, code) in errors.enumerated() {
                        results[start + offset] =
                            code == 0 ? .success(()) : .failure(.kernel(errno: code, operation: chunk[start + offset]))
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

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
