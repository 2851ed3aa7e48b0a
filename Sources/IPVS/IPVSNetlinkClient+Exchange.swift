import CNetlink
import Glibc

extension IPVSNetlinkClient {
    /// Sends `count` requests, at most `window` per system call, and reads until each is finished (its
    /// NLMSG_ERROR acknowledgement or NLMSG_DONE arrived), matching replies by sequence number.
    /// `encode(index, sequence, &encoder)` builds request `index`; `onData(index, attributes)` sees each reply
    /// message (the attributes after its generic-netlink header). Returns each request's errno (0: success).
    /// Throws only when the socket itself fails. Call with the lock held.
    func exchange(
        count: Int,
        window: Int,
        slot: Int,
        encode: (Int, UInt32, inout NetlinkEncoder) -> Void,
        onData: (Int, NetlinkAttributes) -> Void
    ) throws -> [Int32] {
        var errors = [Int32](repeating: 0, count: count)
        var encoder = NetlinkEncoder(capacity: 0)
        swap(&encoder, &self.encoder)
        defer { swap(&encoder, &self.encoder) }
        let maxDatagrams = slot >= 16 << 10 ? 64 : Int(CNL_RECV_MANY_MAX)
        var start = 0
        while start < count {
            let end = min(start + max(window, 1), count)
            let inFlight = end - start
            encoder.removeAll()
            let base = nextSequence
            nextSequence &+= UInt32(inFlight)
            for index in start..<end {
                encode(index, base &+ UInt32(index - start), &encoder)
            }
            try socket.send(encoder.bytes)
            var finished = [Bool](repeating: false, count: inFlight)
            var pending = inFlight
            while pending > 0 {
                try socket.receive(datagrams: min(max(pending, 16), maxDatagrams), slot: slot) { message in
                    let relative = message.sequence &- base
                    guard relative < UInt32(inFlight) else {
                        logger.trace("stray netlink reply", metadata: ["seq": "\(message.sequence)"])
                        return
                    }
                    let slotIndex = Int(relative)
                    guard !finished[slotIndex] else { return }
                    switch Int32(message.type) {
                    case NLMSG_ERROR, NLMSG_DONE:
                        errors[start + slotIndex] = -message.errorCode
                        finished[slotIndex] = true
                        pending -= 1
                    case NLMSG_NOOP, NLMSG_OVERRUN:
                        break
                    default:
                        guard message.type == family, message.payload.count >= 4 else { return }
                        onData(start + slotIndex, NetlinkAttributes(UnsafeRawBufferPointer(rebasing: message.payload[4...])))
                    }
                }
            }
            start = end
        }
        return errors
    }
}
