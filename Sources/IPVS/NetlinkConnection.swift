import Values
import CNetlink
import Glibc
import Logging

/// One netlink connection: a transport, the next sequence number and a reusable request buffer, behind a mutex.
/// The IPVS client talks generic netlink over one, the VIP link rtnetlink over another; both go through its
/// `exchange`, the project's one send-window/acknowledgement loop.
///
/// Its calls block (sendto, recvmmsg) for at most the receive timeout per wait, so async callers reach it from a
/// thread of their own (the proxy's `ReconcileRoom` runs on a dedicated event-loop thread), never from Swift's
/// cooperative pool.
final class NetlinkConnection: Sendable {
    /// What the mutex guards. The transport is not Sendable; it is reachable only inside the mutex, so the
    /// state may cross threads with it (the one unchecked claim, kept where the confinement is enforced).
    struct State: @unchecked Sendable {
        var transport: any NetlinkTransport
        var sequence: UInt32
        var encoder: NetlinkEncoder
    }

    /// What the connection speaks ("generic netlink", "rtnetlink"), for messages.
    let name: String
    /// The longest wait for the kernel's next reply before a request is reported as timed out.
    let receiveTimeout: Duration
    let logger: Logger
    private let state: Locked<State>

    /// A connection over `transport`; sequence numbers start at `firstSequence`.
    init(
        transport: sending any NetlinkTransport, name: String, receiveTimeout: Duration = .seconds(10),
        firstSequence: UInt32 = 1, logger: Logger
    ) {
        self.name = name
        self.receiveTimeout = receiveTimeout
        self.logger = logger
        state = Locked(State(transport: transport, sequence: firstSequence, encoder: NetlinkEncoder(capacity: 4096)))
    }

    /// Runs `body` with the transport, under the lock (the tests read their scripted kernel's record this way).
    func withTransport<T: Sendable>(_ body: (any NetlinkTransport) -> T) -> T {
        state.withLock { body($0.transport) }
    }

    /// The most datagrams read with one receive for replies of at most `slot` bytes (a buffer of about 2 MiB).
    static func datagramLimit(slot: Int) -> Int { slot >= 16 << 10 ? 64 : Int(CNL_RECV_MANY_MAX) }

    /// Sends `count` requests, at most `window` per datagram, and reads until each is finished (its NLMSG_ERROR
    /// acknowledgement or, for a dump, NLMSG_DONE arrived), matching replies by sequence number; replies to other
    /// sequence numbers (late answers to an earlier exchange) are ignored. `encode(index, sequence, &encoder)`
    /// builds request `index`; `onReply(index, message)` sees each data message of its reply (multipart dumps
    /// included). A request answered EBUSY is sent again, up to `busyRetries` more rounds, after
    /// `willRetry(index)`. Returns each request's errno (0: success, else the positive errno of the last answer).
    ///
    /// Throws `IPVSError` only for the transport: a failed send or receive (`.transport`), a truncated datagram
    /// (`.transport`), a malformed message (`.malformedReply`), or no reply within `receiveTimeout` (`.timeout`).
    /// Requests of the window in flight then have no known outcome.
    func exchange(
        count: Int,
        window: Int,
        slot: Int,
        busyRetries: Int = 0,
        encode: (Int, UInt32, inout NetlinkEncoder) -> Void,
        onReply: (Int, NetlinkMessageView) -> Void = { _, _ in },
        willRetry: (Int) -> Void = { _ in }
    ) throws -> [Int32] {
        var errnos = [Int32](repeating: 0, count: count)
        guard count > 0 else { return errnos }
        try state.withLock { state in
            var todo = Array(0..<count)
            var round = 0
            while true {
                try state.exchangeRound(
                    todo, window: window, slot: slot, connection: self, errnos: &errnos, encode: encode,
                    onReply: onReply)
                let busy = todo.filter { errnos[$0] == EBUSY }
                guard !busy.isEmpty, round < busyRetries else { break }
                logger.debug("netlink requests busy; retrying", metadata: ["count": "\(busy.count)", "round": "\(round)"])
                busy.forEach(willRetry)
                todo = busy
                round += 1
            }
        }
        return errnos
    }
}

extension NetlinkConnection.State {
    /// Sends the requests `indices`, a window at a time, and records each one's errno in `errnos`.
    mutating func exchangeRound(
        _ indices: [Int],
        window: Int,
        slot: Int,
        connection: NetlinkConnection,
        errnos: inout [Int32],
        encode: (Int, UInt32, inout NetlinkEncoder) -> Void,
        onReply: (Int, NetlinkMessageView) -> Void
    ) throws {
        let datagramLimit = NetlinkConnection.datagramLimit(slot: slot)
        var start = 0
        while start < indices.count {
            let end = min(start + max(window, 1), indices.count)
            let inFlight = end - start
            let base = sequence
            sequence &+= UInt32(inFlight)
            encoder.removeAll()
            for position in start..<end {
                encode(indices[position], base &+ UInt32(position - start), &encoder)
            }
            try transport.send(encoder.bytes)
            var finished = [Bool](repeating: false, count: inFlight)
            var pending = inFlight
            while pending > 0 {
                let received = try transport.receive(
                    limit: min(max(pending, 16), datagramLimit), slot: slot, timeout: connection.receiveTimeout
                ) { datagram, truncated in
                    if truncated {
                        throw IPVSError(
                            code: .transport,
                            message: "a \(connection.name) reply did not fit in \(slot) bytes and was truncated")
                    }
                    try NetlinkMessageView.forEach(in: datagram) { message in
                        let relative = message.sequence &- base
                        guard relative < UInt32(inFlight) else {
                            connection.logger.trace("stray netlink reply", metadata: ["seq": "\(message.sequence)"])
                            return
                        }
                        let slotIndex = Int(relative)
                        guard !finished[slotIndex] else { return }
                        switch Int32(message.type) {
                        case NLMSG_ERROR, NLMSG_DONE:
                            errnos[indices[start + slotIndex]] = message.replyErrno
                            finished[slotIndex] = true
                            pending -= 1
                        case NLMSG_NOOP, NLMSG_OVERRUN:
                            break
                        default:
                            onReply(indices[start + slotIndex], message)
                        }
                    }
                }
                if !received {
                    throw IPVSError(
                        code: .timeout,
                        message: "no \(connection.name) reply within \(connection.receiveTimeout): "
                            + "\(pending) of \(inFlight) requests unanswered")
                }
            }
            start = end
        }
    }
}
