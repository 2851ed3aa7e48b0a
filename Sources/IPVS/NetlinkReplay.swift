import Logging

/// Runs the real netlink reading path (the exchange loop, message and attribute parsing, the IPVS and rtnetlink
/// decoders) over replies given as bytes instead of a socket, as if the kernel had sent them. For the fuzzers under
/// Tests/Fuzz: package access, not part of the public API. Requests are numbered from sequence 1, one per request,
/// in the order the client sends them; datagrams are handed out in order, and when none is left the client sees a
/// silent kernel (its request times out at once).
package enum NetlinkReplay {
    /// The generic-netlink family id the replayed IPVS replies are addressed with.
    package static let ipvsFamily: UInt16 = 36

    /// ``IPVSNetlinkClient/virtualServers()`` answered by `datagrams`: one service dump (sequence 1), then one
    /// real-server dump per service found (sequences 2, 3, ...).
    package static func virtualServers(answering datagrams: [[UInt8]]) throws -> [VirtualServerState] {
        let client = IPVSNetlinkClient(
            connection: connection(datagrams, name: "generic netlink"), family: ipvsFamily, window: 16,
            logger: Logger(label: "replay", factory: { _ in SwiftLogNoOpLogHandler() }))
        return try client.virtualServers()
    }

    /// ``VIPInterface/localAddresses()`` answered by `datagrams`: a link dump (sequence 1), then an address dump
    /// (sequence 2).
    package static func localAddresses(answering datagrams: [[UInt8]]) throws -> [LocalAddress] {
        let link = VIPInterface(
            name: "kube-ipvs0", connection: connection(datagrams, name: "rtnetlink"),
            logger: Logger(label: "replay", factory: { _ in SwiftLogNoOpLogHandler() }))
        return try link.localAddresses()
    }

    /// Whether an rtnetlink multicast datagram holds an address change (what ``AddressEvents`` waits for).
    package static func holdsAddressChange(_ datagram: [UInt8]) -> Bool {
        datagram.withUnsafeBytes { AddressEvents.holdsAddressChange($0) }
    }

    private static func connection(_ datagrams: [[UInt8]], name: String) -> NetlinkConnection {
        NetlinkConnection(
            transport: ReplayTransport(datagrams), name: name, receiveTimeout: .zero, firstSequence: 1,
            logger: Logger(label: "replay", factory: { _ in SwiftLogNoOpLogHandler() }))
    }
}

/// Hands out recorded datagrams, ignoring what is sent.
private final class ReplayTransport: NetlinkTransport {
    private var datagrams: ArraySlice<[UInt8]>

    init(_ datagrams: [[UInt8]]) { self.datagrams = datagrams[...] }

    func send(_ bytes: [UInt8]) throws {}

    func receive(
        limit: Int, slot: Int, timeout: Duration, _ body: (UnsafeRawBufferPointer, _ truncated: Bool) throws -> Void
    ) throws -> Bool {
        guard !datagrams.isEmpty else { return false }
        for _ in 0..<max(limit, 1) {
            guard let datagram = datagrams.popFirst() else { break }
            try datagram.prefix(slot).withUnsafeBytes { try body($0, datagram.count > slot) }
        }
        return true
    }
}
