import IPVS
import Testing
import Values

@testable import Proxy

/// kube-proxy's stale-conntrack rules (`pkg/proxy/conntrack/cleanup.go`) on this proxy's virtual servers: one row
/// per rule and per family.
@Suite struct StaleFlowRulesTests {
    /// The addresses of one family: a cluster IP, a second cluster IP, an external IP, a node address, a client
    /// and three pods.
    struct Family: Sendable, CustomStringConvertible {
        var clusterIP, otherClusterIP, externalIP, node, client, podA, podB, podC: IPAddress
        var description: String { clusterIP.isIPv4 ? "IPv4" : "IPv6" }
    }

    static let families = [
        Family(
            clusterIP: ip("10.96.0.10"), otherClusterIP: ip("10.96.0.11"), externalIP: ip("192.0.2.10"),
            node: ip("172.18.0.2"), client: ip("10.244.1.9"), podA: ip("10.244.0.2"), podB: ip("10.244.0.3"),
            podC: ip("10.244.0.4")),
        Family(
            clusterIP: ip("fd00:96::10"), otherClusterIP: ip("fd00:96::11"), externalIP: ip("2001:db8::10"),
            node: ip("fd00:18::2"), client: ip("fd00:244:1::9"), podA: ip("fd00:244::2"), podB: ip("fd00:244::3"),
            podC: ip("fd00:244::4")),
    ]

    static func ip(_ text: String) -> IPAddress {
        guard let address = IPAddress(text) else { preconditionFailure("bad test address \(text)") }
        return address
    }

    /// A desired state: one virtual server per (protocol, address, port) with its pods on port 5353.
    static func state(
        _ servers: [(IPVSProtocol, IPAddress, UInt16, [IPAddress])], forwarding: ForwardingMethod = .masquerade
    ) -> DesiredState {
        DesiredState(
            virtualServers: servers.map { transport, address, port, pods in
                DesiredVirtualServer(
                    server: VirtualServer(key: .service(transport, address, port: port)),
                    realServers: pods.map { RealServer(address: $0, port: 5353, forwarding: forwarding) })
            })
    }

    /// A flow from the client's port 40000 to `address:port`, answered by `backend:backendPort`.
    static func flow(
        _ transport: IPVSProtocol, to address: IPAddress, _ port: UInt16, from backend: IPAddress,
        _ backendPort: UInt16 = 5353, client: IPAddress
    ) -> ConntrackFlow {
        ConntrackFlow(
            transport: transport,
            original: .init(source: client, sourcePort: 40000, destination: address, destinationPort: port),
            reply: .init(source: backend, sourcePort: backendPort, destination: client, destinationPort: 40000))
    }

    struct Row: Sendable, CustomStringConvertible {
        var rule: String
        var old: @Sendable (Family) -> DesiredState?
        var new: @Sendable (Family) -> DesiredState
        /// Flows and whether each is stale after the change.
        var flows: @Sendable (Family) -> [(ConntrackFlow, stale: Bool)]
        var description: String { rule }
    }

    static let rows: [Row] = [
        Row(
            rule: "an endpoint removed: flows answered by it are stale, flows to the others stay",
            old: { f in state([(.udp, f.clusterIP, 53, [f.podA, f.podB])]) },
            new: { f in state([(.udp, f.clusterIP, 53, [f.podB])]) },
            flows: { f in
                [
                    (flow(.udp, to: f.clusterIP, 53, from: f.podA, client: f.client), true),
                    (flow(.udp, to: f.clusterIP, 53, from: f.podB, client: f.client), false),
                ]
            }),
        Row(
            rule: "the same endpoint on another port is another backend",
            old: { f in state([(.udp, f.clusterIP, 53, [f.podA, f.podB])]) },
            new: { f in state([(.udp, f.clusterIP, 53, [f.podB])]) },
            flows: { f in [(flow(.udp, to: f.clusterIP, 53, from: f.podB, 5354, client: f.client), true)] }),
        Row(
            rule: "every endpoint of a NodePort, an external IP and a cluster IP",
            old: { f in
                state([(.udp, f.clusterIP, 53, [f.podA, f.podB]), (.udp, f.externalIP, 53, [f.podA, f.podB]),
                       (.udp, f.node, 30053, [f.podA, f.podB])])
            },
            new: { f in
                state([(.udp, f.clusterIP, 53, [f.podB]), (.udp, f.externalIP, 53, [f.podB]),
                       (.udp, f.node, 30053, [f.podB])])
            },
            flows: { f in
                [
                    (flow(.udp, to: f.externalIP, 53, from: f.podA, client: f.client), true),
                    (flow(.udp, to: f.node, 30053, from: f.podA, client: f.client), true),
                    (flow(.udp, to: f.node, 30053, from: f.podB, client: f.client), false),
                ]
            }),
        Row(
            rule: "0 to >0 endpoints: flows that were never forwarded (answered by the VIP itself) are stale",
            old: { f in state([(.udp, f.clusterIP, 53, [])]) },
            new: { f in state([(.udp, f.clusterIP, 53, [f.podA])]) },
            flows: { f in
                [
                    (flow(.udp, to: f.clusterIP, 53, from: f.clusterIP, 53, client: f.client), true),
                    (flow(.udp, to: f.clusterIP, 53, from: f.podA, client: f.client), false),
                ]
            }),
        Row(
            rule: "a Service with no endpoint left cleans nothing of its own",
            old: { f in state([(.udp, f.clusterIP, 53, [f.podA]), (.udp, f.otherClusterIP, 53, [f.podC])]) },
            new: { f in state([(.udp, f.clusterIP, 53, []), (.udp, f.otherClusterIP, 53, [f.podC])]) },
            flows: { f in [(flow(.udp, to: f.clusterIP, 53, from: f.podA, client: f.client), false)] }),
        Row(
            rule: "the cluster IP changed: flows to the old one are stale",
            old: { f in state([(.udp, f.clusterIP, 53, [f.podA])]) },
            new: { f in state([(.udp, f.otherClusterIP, 53, [f.podA])]) },
            flows: { f in
                [
                    (flow(.udp, to: f.clusterIP, 53, from: f.podA, client: f.client), true),
                    (flow(.udp, to: f.otherClusterIP, 53, from: f.podA, client: f.client), false),
                ]
            }),
        Row(
            rule: "the node port changed: flows to the old one on the node address are stale",
            old: { f in state([(.udp, f.node, 30053, [f.podA])]) },
            new: { f in state([(.udp, f.node, 30054, [f.podA])]) },
            flows: { f in
                [
                    (flow(.udp, to: f.node, 30053, from: f.podA, client: f.client), true),
                    (flow(.udp, to: f.node, 30054, from: f.podA, client: f.client), false),
                    (flow(.udp, to: f.podC, 30053, from: f.podC, 30053, client: f.client), false),
                ]
            }),
        Row(
            rule: "an external IP removed: flows to it are stale",
            old: { f in state([(.udp, f.clusterIP, 53, [f.podA]), (.udp, f.externalIP, 53, [f.podA])]) },
            new: { f in state([(.udp, f.clusterIP, 53, [f.podA])]) },
            flows: { f in
                [
                    (flow(.udp, to: f.externalIP, 53, from: f.podA, client: f.client), true),
                    (flow(.udp, to: f.clusterIP, 53, from: f.podA, client: f.client), false),
                ]
            }),
        Row(
            rule: "SCTP as UDP",
            old: { f in state([(.sctp, f.clusterIP, 3868, [f.podA, f.podB])]) },
            new: { f in state([(.sctp, f.clusterIP, 3868, [f.podB])]) },
            flows: { f in [(flow(.sctp, to: f.clusterIP, 3868, from: f.podA, client: f.client), true)] }),
        Row(
            rule: "TCP is never touched, even on a UDP Service's address and port",
            old: { f in state([(.udp, f.clusterIP, 53, [f.podA, f.podB]), (.tcp, f.clusterIP, 53, [f.podA])]) },
            new: { f in state([(.udp, f.clusterIP, 53, [f.podB])]) },
            flows: { f in [(flow(.tcp, to: f.clusterIP, 53, from: f.podA, client: f.client), false)] }),
        Row(
            rule: "the first pass cleans every UDP virtual server",
            old: { _ in nil },
            new: { f in state([(.udp, f.clusterIP, 53, [f.podB])]) },
            flows: { f in [(flow(.udp, to: f.clusterIP, 53, from: f.podA, client: f.client), true)] }),
        Row(
            rule: "flows to addresses the proxy does not serve are left alone",
            old: { f in state([(.udp, f.clusterIP, 53, [f.podA, f.podB])]) },
            new: { f in state([(.udp, f.clusterIP, 53, [f.podB])]) },
            flows: { f in
                [
                    (flow(.udp, to: f.otherClusterIP, 53, from: f.podA, client: f.client), false),
                    (flow(.udp, to: f.clusterIP, 54, from: f.podA, client: f.client), false),
                ]
            }),
    ]

    @Test(arguments: rows, families)
    func rule(_ row: Row, _ family: Family) throws {
        let rules = try #require(StaleFlowRules.after(row.old(family), row.new(family)), "a cleanup is due")
        for (flow, stale) in row.flows(family) {
            #expect(rules.isStale(flow) == stale, "\(flow)")
        }
    }

    @Test(arguments: families)
    func changesThatNeedNoCleanup(_ f: Family) {
        let udp = Self.state([(.udp, f.clusterIP, 53, [f.podA])])
        #expect(StaleFlowRules.after(udp, udp) == nil, "nothing changed")
        let tcpBefore = Self.state([(.udp, f.clusterIP, 53, [f.podA]), (.tcp, f.clusterIP, 80, [f.podA, f.podB])])
        let tcpAfter = Self.state([(.udp, f.clusterIP, 53, [f.podA]), (.tcp, f.clusterIP, 80, [f.podB])])
        #expect(StaleFlowRules.after(tcpBefore, tcpAfter) == nil, "only TCP changed")
        #expect(StaleFlowRules.after(nil, Self.state([(.udp, f.clusterIP, 53, [])])) == nil, "no endpoint at all")
        let tunnelled = Self.state([(.udp, f.clusterIP, 53, [f.podA])], forwarding: .tunnel)
        #expect(StaleFlowRules.after(nil, tunnelled) == nil, "tunnelled replies carry no backend address")
    }

    @Test(arguments: families)
    func mergingKeepsTheLaterView(_ f: Family) throws {
        let first = try #require(
            StaleFlowRules.after(
                Self.state([(.udp, f.clusterIP, 53, [f.podA]), (.udp, f.externalIP, 53, [f.podA])]),
                Self.state([(.udp, f.clusterIP, 53, [f.podA])])))
        let second = try #require(
            StaleFlowRules.after(
                Self.state([(.udp, f.clusterIP, 53, [f.podA])]),
                Self.state([(.udp, f.externalIP, 53, [f.podB])])))
        let merged = first.merging(second)
        #expect(merged.isStale(Self.flow(.udp, to: f.externalIP, 53, from: f.podA, client: f.client)))
        #expect(!merged.isStale(Self.flow(.udp, to: f.externalIP, 53, from: f.podB, client: f.client)))
        #expect(merged.isStale(Self.flow(.udp, to: f.clusterIP, 53, from: f.podA, client: f.client)), "removed")
    }
}
