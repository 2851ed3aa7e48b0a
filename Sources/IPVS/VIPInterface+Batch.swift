import Values
import CNetlink
import Glibc

extension VIPInterface {
    /// How many address requests go to the kernel per system call.
    static let batchWindow = 512

    /// Adds each address as a /32 or /128 to the link (which must exist: see `ensureLink`), pipelined: many
    /// requests per system call, acknowledgements matched by sequence number. An address already present counts
    /// as added. Returns one result per address, in order; throws only when the link is missing or the socket
    /// itself fails.
    public func add(_ addresses: [IPAddress]) throws -> [Result<Void, IPVSError>] {
        guard !addresses.isEmpty else { return [] }
        let index = try requireIndex()
        let errnos = try exchange(count: addresses.count) { position, seq, encoder in
            RouteMessages.address(addresses[position], add: true, index: index, sequence: seq, into: &encoder)
        }
        return zip(addresses, errnos).map { address, errno in
            Reply(what: "add \(address) to \(name)", errno: errno == EEXIST ? 0 : errno, messages: []).result
        }
    }

    /// Removes each address from the link, pipelined as `add(_:)` is. An address that is not there (or a link
    /// that does not exist) counts as removed. Returns one result per address, in order.
    public func remove(_ addresses: [IPAddress]) throws -> [Result<Void, IPVSError>] {
        guard !addresses.isEmpty else { return [] }
        guard let index = try linkIndex() else { return addresses.map { _ in .success(()) } }
        let errnos = try exchange(count: addresses.count) { position, seq, encoder in
            RouteMessages.address(addresses[position], add: false, index: index, sequence: seq, into: &encoder)
        }
        return zip(addresses, errnos).map { address, errno in
            Reply(what: "remove \(address) from \(name)", errno: errno == EADDRNOTAVAIL ? 0 : errno, messages: [])
                .result
        }
    }

    /// Sends `count` acknowledged requests, `batchWindow` per system call, and reads until each one's
    /// acknowledgement arrived, matching them by sequence number. Returns each request's errno (0: success).
    func exchange(count: Int, encode: (Int, UInt32, inout NetlinkEncoder) -> Void) throws -> [Int32] {
        lock.lock()
        defer { lock.unlock() }
        var errnos = [Int32](repeating: 0, count: count)
        var encoder = NetlinkEncoder(capacity: 64 * min(count, Self.batchWindow))
        var start = 0
        while start < count {
            let end = min(start + Self.batchWindow, count)
            let inFlight = end - start
            let base = sequence
            sequence &+= UInt32(inFlight)
            encoder.removeAll()
            for position in start..<end {
                encode(position, base &+ UInt32(position - start), &encoder)
            }
            try socket.send(encoder.bytes)
            var finished = [Bool](repeating: false, count: inFlight)
            var pending = inFlight
            while pending > 0 {
                try socket.receive(datagrams: min(pending, Int(CNL_RECV_MANY_MAX)), slot: 4096) { message in
                    let relative = message.sequence &- base
                    guard relative < UInt32(inFlight), !finished[Int(relative)] else { return }
                    guard Int32(message.type) == NLMSG_ERROR || Int32(message.type) == NLMSG_DONE else { return }
                    errnos[start + Int(relative)] = -message.errorCode
                    finished[Int(relative)] = true
                    pending -= 1
                }
            }
            start = end
        }
        return errnos
    }
}
