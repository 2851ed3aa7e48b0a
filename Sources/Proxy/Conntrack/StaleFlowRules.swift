import IPVS
import Values

/// Which conntrack flows are stale after a change of the desired state: kube-proxy's rule
/// (`pkg/proxy/conntrack/cleanup.go`), on this proxy's virtual servers. Pure.
///
/// - A UDP or SCTP virtual server with at least one real server (a cluster IP, an external or load-balancer IP, or
///   a node address with the NodePort, each a virtual server here) serves only those real servers: a flow whose
///   original destination is its address and port and whose reply comes from any other address and port is stale
///   (its backend was removed, or the flow was never forwarded: one that arrived while the Service had no endpoint).
///   A virtual server without real servers cleans nothing (kube-proxy: "a Service without endpoints does not
///   require to clean the conntrack entries").
/// - A UDP or SCTP virtual server that is gone (the Service, its cluster IP, a node port or an external IP removed
///   or changed) leaves every flow to its old address and port stale.
/// - TCP is never touched: its connections end and start again on their own.
public struct StaleFlowRules: Sendable, Hashable {
    /// Where a flow's original direction goes: a virtual server's protocol, address and port.
    public struct Frontend: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var transport: IPVSProtocol
        public var address: IPAddress
        public var port: UInt16

        /// A frontend.
        public init(_ transport: IPVSProtocol, _ address: IPAddress, port: UInt16) {
            self.transport = transport
            self.address = address
            self.port = port
        }

        public var description: String { "\(transport) \(address.withPort(port))" }

        /// The frontend of a UDP or SCTP virtual server; nil for any other (TCP, firewall mark).
        init?(cleaned key: VirtualServerKey) {
            guard case .service(let transport, let address, let port) = key,
                StaleFlowRules.protocols.contains(transport)
            else { return nil }
            self.init(transport, address, port: port)
        }

        public static func < (lhs: Frontend, rhs: Frontend) -> Bool {
            VirtualServerKey.service(lhs.transport, lhs.address, port: lhs.port)
                < VirtualServerKey.service(rhs.transport, rhs.address, port: rhs.port)
        }
    }

    /// The protocols whose flows are cleaned: those without a connection of their own to end (kube-proxy cleans
    /// UDP; SCTP associations pinned to a removed backend fail the same way, see docs/proxy.md).
    public static let protocols: Set<IPVSProtocol> = [.udp, .sctp]

    /// Frontends with at least one real server, and those real servers: a flow to one of them answered from
    /// anywhere else is stale.
    public var served: [Frontend: Set<RealServerEndpoint>]
    /// Frontends that are gone: every flow to them is stale.
    public var removed: Set<Frontend>

    /// Rules.
    public init(served: [Frontend: Set<RealServerEndpoint>] = [:], removed: Set<Frontend> = []) {
        self.served = served
        self.removed = removed
    }

    /// The rules after the desired state went from `old` (nil: nothing was programmed yet, the first pass) to
    /// `new`; nil when the change asks for no cleanup: as kube-proxy's `ConntrackCleanupRequired`, a cleanup runs
    /// when a UDP or SCTP virtual server's real servers changed, or one came or went.
    public static func after(_ old: DesiredState?, _ new: DesiredState) -> StaleFlowRules? {
        let before = old.map(frontends) ?? [:]
        let after = frontends(new)
        guard before != after else { return nil }
        let rules = StaleFlowRules(
            served: after.filter { !$0.value.isEmpty },
            removed: Set(before.keys).subtracting(after.keys))
        return rules.isEmpty ? nil : rules
    }

    /// The UDP and SCTP virtual servers of `state` by frontend, with their real servers. Firewall-mark virtual
    /// servers have no frontend of their own, and one with a real server not masqueraded (direct routing,
    /// tunnelling) leaves no trace of its backend in conntrack (the reply seems to come from the VIP): both are left
    /// out.
    static func frontends(_ state: DesiredState) -> [Frontend: Set<RealServerEndpoint>] {
        var result: [Frontend: Set<RealServerEndpoint>] = [:]
        for (key, server) in state.virtualServers {
            guard let frontend = Frontend(cleaned: key), let backends = backends(of: server) else { continue }
            result[frontend] = backends
        }
        return result
    }

    /// The real servers of a virtual server whose flows are cleaned; nil when it has none to clean (absent, or a real
    /// server not masqueraded).
    static func backends(of server: DesiredVirtualServer?) -> Set<RealServerEndpoint>? {
        guard let server, server.realServers.values.allSatisfy({ $0.forwarding == .masquerade }) else { return nil }
        return Set(server.realServers.keys)
    }

    /// True when there is nothing to clean.
    public var isEmpty: Bool { served.isEmpty && removed.isEmpty }

    /// True when `flow` is stale under these rules.
    public func isStale(_ flow: ConntrackFlow) -> Bool {
        guard Self.protocols.contains(flow.transport) else { return false }
        let frontend = Frontend(flow.transport, flow.original.destination, port: flow.original.destinationPort)
        if removed.contains(frontend) { return true }
        guard let backends = served[frontend] else { return false }
        return !backends.contains(RealServerEndpoint(address: flow.reply.source, port: flow.reply.sourcePort))
    }

    /// These rules followed by `later`'s (work waiting for the cleaner, coalesced): the later served frontends
    /// win, and a frontend served again is no longer removed.
    public func merging(_ later: StaleFlowRules) -> StaleFlowRules {
        StaleFlowRules(
            served: served.filter { !later.removed.contains($0.key) }.merging(later.served) { _, newer in newer },
            removed: removed.union(later.removed).subtracting(later.served.keys))
    }
}
