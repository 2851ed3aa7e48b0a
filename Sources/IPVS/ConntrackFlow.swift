import Values

/// One netfilter conntrack entry as the stale-flow cleanup sees it: its transport protocol and the addresses and
/// ports of both directions. For a flow IPVS (or NAT) forwarded, the original direction goes to the virtual server
/// (client → VIP:port) and the reply direction comes from the real server (backend:port → client).
public struct ConntrackFlow: Sendable, Hashable, CustomStringConvertible {
    /// One direction of a flow.
    public struct Tuple: Sendable, Hashable {
        public var source: IPAddress
        public var sourcePort: UInt16
        public var destination: IPAddress
        public var destinationPort: UInt16

        /// A direction.
        public init(source: IPAddress, sourcePort: UInt16, destination: IPAddress, destinationPort: UInt16) {
            self.source = source
            self.sourcePort = sourcePort
            self.destination = destination
            self.destinationPort = destinationPort
        }
    }

    /// The transport protocol.
    public var transport: IPVSProtocol
    /// The direction of the first packet (`--orig-*` in conntrack(8)).
    public var original: Tuple
    /// The direction of the answers (`--reply-*`): its source is where the flow was sent after NAT.
    public var reply: Tuple

    /// A flow.
    public init(transport: IPVSProtocol, original: Tuple, reply: Tuple) {
        self.transport = transport
        self.original = original
        self.reply = reply
    }

    /// The address family.
    public var family: AddressFamily { original.destination.family }

    public var description: String {
        let from = original.source.withPort(original.sourcePort)
        let to = original.destination.withPort(original.destinationPort)
        return "\(transport) \(from) → \(to) (reply from \(reply.source.withPort(reply.sourcePort)))"
    }
}

/// What one cleanup did.
public struct ConntrackCleanupResult: Sendable, Hashable {
    /// Flows read from the table.
    public var examined = 0
    /// Flows found stale.
    public var stale = 0
    /// Stale flows deleted.
    public var deleted = 0
    /// Stale flows already gone when their deletion arrived (expired, or removed by the kernel itself).
    public var vanished = 0
    /// Stale flows whose deletion the kernel refused; `firstError` says why.
    public var failed = 0
    /// Stale flows left because the deadline passed or the limit was reached.
    public var leftOver = 0
    /// The first refusal, as text.
    public var firstError: String?

    /// A result.
    public init(
        examined: Int = 0, stale: Int = 0, deleted: Int = 0, vanished: Int = 0, failed: Int = 0, leftOver: Int = 0,
        firstError: String? = nil
    ) {
        self.examined = examined
        self.stale = stale
        self.deleted = deleted
        self.vanished = vanished
        self.failed = failed
        self.leftOver = leftOver
        self.firstError = firstError
    }
}

/// The seam between the decision (which flows are stale, in the proxy) and the kernel's conntrack table. The real
/// one is `NetfilterConntrack` (libnl's netfilter library); the proxy's tests use a fake table.
public protocol ConntrackCleaning: Sendable {
    /// Reads the conntrack table and deletes each flow `isStale` picks, at most `limit` of them, stopping when
    /// `deadline` passes (the rest are counted as left over). Blocks: call it from a thread of its own, never from
    /// Swift's cooperative pool. Throws when the table cannot be read; refused deletions are counted, not thrown.
    func deleteFlows(
        limit: Int, deadline: ContinuousClock.Instant, where isStale: (ConntrackFlow) -> Bool
    ) throws -> ConntrackCleanupResult
}
