import Values
import IPVS
import Kube
import Testing

@testable import Proxy

/// The filter elements a desired virtual server contributes (kube-proxy's KUBE-IPVS-FILTER, KUBE-SOURCE-RANGES-
/// FIREWALL, KUBE-IPVS-OUT-FILTER), one row per rule and per family.
@Suite struct NFTablesFilterTrackerTests {
    static let cidrs = MasqueradeConfiguration(
        clusterCIDRs: ["10.244.0.0/16", "fd00:244::/64"].compactMap { AddressPrefix($0) })

    static func server(
        _ proto: IPVSProtocol, _ address: String, _ port: UInt16, _ role: VirtualServerRole,
        ranges: SourceRanges? = nil, healthCheck: UInt16? = nil
    ) -> DesiredVirtualServer {
        var server = DesiredVirtualServer(server: F.vs(F.key(proto, address, port)), role: role)
        server.sourceRanges = ranges
        server.healthCheckNodePort = healthCheck
        return server
    }

    static func ranges(_ texts: [String], node: Bool) -> SourceRanges {
        SourceRanges(texts.map(F.prefix), admitsNode: node)
    }

    @Test(arguments: [
        // server, elements besides masquerading (filter elements only), what
        (
            server(.tcp, "10.96.0.10", 80, .clusterIP), [MasqueradeElement.vipPort(.tcp, F.ip("10.96.0.10"), port: 80)],
            "v4 cluster IP: its port is let through the VIP filter"
        ),
        (
            server(.udp, "fd00:96::a", 53, .clusterIP), [.vipPort(.udp, F.ip("fd00:96::a"), port: 53)],
            "v6 cluster IP"
        ),
        (
            server(.sctp, "203.0.113.7", 9, .external(.local)), [.vipPort(.sctp, F.ip("203.0.113.7"), port: 9)],
            "v4 external IP"
        ),
        (
            server(.tcp, "2001:db8::7", 443, .external(.cluster)), [.vipPort(.tcp, F.ip("2001:db8::7"), port: 443)],
            "v6 load-balancer IP without ranges"
        ),
        (server(.tcp, "192.168.1.5", 30080, .nodePort(.cluster)), [], "v4 NodePort: not a VIP port"),
        (server(.tcp, "fd00:1::5", 30080, .nodePort(.local)), [], "v6 NodePort"),
        (
            server(.tcp, "192.168.1.5", 30080, .nodePort(.local), healthCheck: 32000),
            [.healthCheckPort(.ipv4, port: 32000)], "v4 health-check node port, on a NodePort too"
        ),
        (
            server(.tcp, "fd00:96::a", 80, .clusterIP, healthCheck: 32000),
            [.vipPort(.tcp, F.ip("fd00:96::a"), port: 80), .healthCheckPort(.ipv6, port: 32000)],
            "v6 health-check node port"
        ),
        (
            server(.tcp, "203.0.113.10", 80, .external(.cluster), ranges: ranges(["192.0.2.0/24"], node: false)),
            [
                .vipPort(.tcp, F.ip("203.0.113.10"), port: 80), .sourceGuarded(.tcp, F.ip("203.0.113.10"), port: 80),
                .sourceAdmitted(.tcp, F.ip("203.0.113.10"), port: 80, F.prefix("192.0.2.0/24")),
                .nodeRefused(.tcp, F.ip("203.0.113.10"), port: 80),
            ],
            "v4 source ranges without the node: its own connections refused"
        ),
        (
            server(.udp, "2001:db8::10", 53, .external(.local), ranges: ranges(["2001:db8:1::/48"], node: false)),
            [
                .vipPort(.udp, F.ip("2001:db8::10"), port: 53), .sourceGuarded(.udp, F.ip("2001:db8::10"), port: 53),
                .sourceAdmitted(.udp, F.ip("2001:db8::10"), port: 53, F.prefix("2001:db8:1::/48")),
                .nodeRefused(.udp, F.ip("2001:db8::10"), port: 53),
            ],
            "v6 source ranges without the node"
        ),
        (
            server(.tcp, "203.0.113.10", 80, .external(.cluster), ranges: ranges(["192.168.1.0/24"], node: true)),
            [
                .vipPort(.tcp, F.ip("203.0.113.10"), port: 80), .sourceGuarded(.tcp, F.ip("203.0.113.10"), port: 80),
                .sourceAdmitted(.tcp, F.ip("203.0.113.10"), port: 80, F.prefix("192.168.1.0/24")),
                .sourceAdmitted(.tcp, F.ip("203.0.113.10"), port: 80, F.prefix("203.0.113.10/32")),
            ],
            "v4 source ranges holding the node: the IP itself admitted as a source (KUBE-LOAD-BALANCER-SOURCE-IP)"
        ),
        (
            server(.tcp, "2001:db8::10", 80, .external(.cluster), ranges: ranges(["2001:db8::/32"], node: true)),
            [
                .vipPort(.tcp, F.ip("2001:db8::10"), port: 80), .sourceGuarded(.tcp, F.ip("2001:db8::10"), port: 80),
                .sourceAdmitted(.tcp, F.ip("2001:db8::10"), port: 80, F.prefix("2001:db8::/32")),
            ],
            "v6 source ranges holding the node and the IP: nothing more (no overlapping interval)"
        ),
        (
            server(.tcp, "203.0.113.10", 80, .external(.cluster), ranges: ranges([], node: false)),
            [
                .vipPort(.tcp, F.ip("203.0.113.10"), port: 80), .sourceGuarded(.tcp, F.ip("203.0.113.10"), port: 80),
                .nodeRefused(.tcp, F.ip("203.0.113.10"), port: 80),
            ],
            "no valid range: guarded, nobody admitted"
        ),
    ])
    func filterElements(server: DesiredVirtualServer, expected: [MasqueradeElement], what: String) {
        let tracker = MasqueradeTracker(configuration: Self.cidrs)
        let filter = tracker.contribution(of: server).filter {
            switch $0 {
            case .always, .fromOutside, .fromVirtualServerAddress, .hairpin: false
            default: true
            }
        }
        #expect(filter == Set(expected), "\(what)")
    }

    @Test func theVIPSetFollowsTheBoundAddressesOneAtATime() {
        var tracker = MasqueradeTracker(configuration: Self.cidrs)
        var desired = DesiredState(boundAddresses: [F.ip("10.96.0.10"), F.ip("fd00:96::a")])
        tracker.update([], addresses: [F.ip("10.96.0.10")], in: desired)
        #expect(tracker.takePending().added == [.vip(F.ip("10.96.0.10"))], "only the address it was given")
        tracker.rebuild(from: desired)
        #expect(tracker.takePending().added == [.vip(F.ip("fd00:96::a"))])
        desired.boundAddresses.remove(F.ip("10.96.0.10"))
        tracker.update([], addresses: [F.ip("10.96.0.10"), F.ip("fd00:96::a")], in: desired)
        #expect(tracker.takePending().removed == [.vip(F.ip("10.96.0.10"))])
        #expect(tracker.elements == [.vip(F.ip("fd00:96::a"))])
    }

    @Test func aHealthCheckPortSharedByTwoVirtualServersStaysUntilBothAreGone() {
        var tracker = MasqueradeTracker(configuration: Self.cidrs)
        let cluster = Self.server(.tcp, "10.96.0.10", 80, .clusterIP, healthCheck: 32000)
        let node = Self.server(.tcp, "192.168.1.5", 30080, .nodePort(.local), healthCheck: 32000)
        var desired = DesiredState(virtualServers: [cluster, node])
        tracker.update([cluster.key, node.key], in: desired)
        desired.virtualServers[cluster.key] = nil
        tracker.update([cluster.key], in: desired)
        #expect(tracker.elements.contains(.healthCheckPort(.ipv4, port: 32000)))
        desired.virtualServers[node.key] = nil
        tracker.update([node.key], in: desired)
        #expect(tracker.elements.isEmpty)
    }
}
