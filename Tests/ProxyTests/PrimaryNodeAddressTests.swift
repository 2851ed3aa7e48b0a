import IPVS
import Kube
import Testing
import Values

@testable import Proxy

/// `--nodeport-addresses primary`: the node's primary IPs as kube-proxy computes them (server.go detectNodeIPs and
/// the primary case), one row per rule and per family (issue 13: 16).
@Suite struct PrimaryNodeAddressTests {
    @Test(arguments: [
        ("no node IP, no bind address: every address, as kube-proxy", [], nil, ["0.0.0.0/0", "::/0"]),
        ("IPv4 node IP; IPv6 family unrestricted", ["192.168.1.5"], nil, ["192.168.1.5/32", "::/0"]),
        ("IPv6 node IP; IPv4 family unrestricted", ["fd00::5"], nil, ["0.0.0.0/0", "fd00::5/128"]),
        ("dual-stack node IPs", ["192.168.1.5", "fd00::5"], nil, ["192.168.1.5/32", "fd00::5/128"]),
        ("IPv6-primary dual stack", ["fd00::5", "192.168.1.5"], nil, ["192.168.1.5/32", "fd00::5/128"]),
        ("bind address alone", [], "10.0.0.7", ["10.0.0.7/32", "::/0"]),
        (
            "bind address replaces its family's node IP", ["192.168.1.5", "fd00::5"], "10.0.0.7",
            ["10.0.0.7/32", "fd00::5/128"]
        ),
        ("IPv6 bind address beside an IPv4 node IP", ["192.168.1.5"], "fd00::7", ["192.168.1.5/32", "fd00::7/128"]),
        ("unspecified bind address says nothing", ["192.168.1.5"], "0.0.0.0", ["192.168.1.5/32", "::/0"]),
        ("loopback bind address is skipped", [], "127.0.0.1", ["0.0.0.0/0", "::/0"]),
    ] as [(String, [String], String?, [String])])
    func primaryPrefixes(what: String, nodeIPs: [String], bind: String?, expected: [String]) {
        let prefixes = NodeAddresses.primaryPrefixes(nodeIPs: nodeIPs.map(F.ip), bindAddress: bind.map(F.ip))
        #expect(prefixes.map(\.description) == expected, "\(what)")
        #expect(NodeAddresses.isEveryAddress(prefixes) == (expected == ["0.0.0.0/0", "::/0"]), "\(what)")
    }

    /// A Node's IPs → the node IPs kube-proxy's GetNodeHostIPs gives: the first (InternalIPs before ExternalIPs),
    /// then the first of the other family.
    @Test(arguments: [
        ([], [], []),
        (["192.168.1.5", "192.168.1.6"], [], ["192.168.1.5"]),
        (["192.168.1.5", "192.168.1.6", "fd00::5"], [], ["192.168.1.5", "fd00::5"]),
        (["fd00::5"], ["203.0.113.7"], ["fd00::5", "203.0.113.7"]),
        ([], ["203.0.113.7", "2001:db8::7"], ["203.0.113.7", "2001:db8::7"]),
        (["192.168.1.5"], ["2001:db8::7", "203.0.113.7"], ["192.168.1.5", "2001:db8::7"]),
    ] as [([String], [String], [String])])
    func nodeHostIPs(internalIPs: [String], externalIPs: [String], expected: [String]) {
        let ips = ValidatedNode.hostIPs(internalIPs: internalIPs.map(F.ip), externalIPs: externalIPs.map(F.ip))
        #expect(ips.map(\.description) == expected)
    }

    /// The prefixes select the node's addresses as `--nodeport-addresses` CIDRs do: the primary IP of one family,
    /// every address of a family without one.
    @Test func primaryPrefixesSelectTheNodesAddresses() {
        let local = [
            LocalAddress(address: F.ip("192.168.1.5"), prefixLength: 24, interfaceIndex: 2, interfaceName: "eth0"),
            LocalAddress(address: F.ip("10.0.0.5"), prefixLength: 16, interfaceIndex: 3, interfaceName: "eth1"),
            LocalAddress(address: F.ip("fd00::5"), prefixLength: 64, interfaceIndex: 2, interfaceName: "eth0"),
            LocalAddress(address: F.ip("fd01::5"), prefixLength: 64, interfaceIndex: 3, interfaceName: "eth1"),
        ]
        let prefixes = NodeAddresses.primaryPrefixes(nodeIPs: [], bindAddress: F.ip("10.0.0.5"))
        #expect(
            NodeAddresses.nodePortAddresses(local, prefixes: prefixes, vipLink: "kube-ipvs0") == [
                F.ip("10.0.0.5"), F.ip("fd00::5"), F.ip("fd01::5"),
            ])
    }

    static let nodePortService = """
          type: NodePort
          clusterIP: 10.96.0.10
          ports:
          - {name: http, protocol: TCP, port: 80, nodePort: 30080}
        """

    /// The tracker narrows the node's addresses to the primary IPs as the Node's IPs arrive and change, per family,
    /// and recomputes only the Services with NodePorts.
    @Test(arguments: [
        (
            "IPv4 Node IP: the IPv4 NodePort on it alone, IPv6 ones everywhere", nil as String?, ["192.168.1.5"],
            ["192.168.1.5", "fd00::5", "fd01::5"]
        ),
        ("dual-stack Node IPs", nil, ["192.168.1.6", "fd01::5"], ["192.168.1.6", "fd01::5"]),
        ("IPv6-primary Node", nil, ["fd00::5", "192.168.1.6"], ["192.168.1.6", "fd00::5"]),
        ("bind address wins its family over the Node", "192.168.1.6", ["192.168.1.5", "fd00::5"], ["192.168.1.6", "fd00::5"]),
        ("no Node IP: every address", nil, [], ["192.168.1.5", "192.168.1.6", "fd00::5", "fd01::5"]),
    ] as [(String, String?, [String], [String])])
    func theNodesIPsNarrowTheNodePorts(what: String, bind: String?, nodeIPs: [String], expected: [String]) throws {
        let candidates = ["192.168.1.5", "192.168.1.6", "fd00::5", "fd01::5"].map(F.ip)
        var tracker = DesiredStateTracker(
            configuration: ProxyConfiguration(
                nodeName: "n1",
                primaryNodePorts: PrimaryNodePorts(bindAddress: bind.map(F.ip), candidates: candidates)))
        let dualStack = """
              type: NodePort
              clusterIPs: [10.96.0.10, "fd00:96::10"]
              ipFamilies: [IPv4, IPv6]
              ports:
              - {name: http, protocol: TCP, port: 80, nodePort: 30080}
            """
        tracker.apply(.upsert(.service(try Objects.web(spec: dualStack))))
        let before = Set(tracker.desired.virtualServers.keys)
        let touched = tracker.apply(.upsert(.node(ValidatedNode(name: "n1", hostIPs: nodeIPs.map(F.ip)))))
        #expect(tracker.configuration.nodePortAddresses.map(\.description).sorted() == expected.sorted(), "\(what)")
        let nodePorts = tracker.desired.virtualServers.keys.compactMap { key -> String? in
            guard case .service(_, let address, 30080) = key else { return nil }
            return address.description
        }
        #expect(nodePorts.sorted() == expected.sorted(), "\(what)")
        let changed = before.symmetricDifference(tracker.desired.virtualServers.keys)
        #expect(changed.isSubset(of: touched.virtualServers), "\(what): every changed key is touched")
        let again = tracker.apply(.upsert(.node(ValidatedNode(name: "n1", hostIPs: nodeIPs.map(F.ip)))))
        #expect(again.isEmpty, "\(what): the same Node touches nothing")
    }

    /// The Node's IP moves: the NodePort moves with it; an address change on the node's interfaces is narrowed the
    /// same way; another node's Node changes nothing.
    @Test func theNodePortFollowsTheNodesIPAndTheInterfaces() throws {
        let candidates = ["192.168.1.5", "192.168.1.6"].map(F.ip)
        var tracker = DesiredStateTracker(
            configuration: ProxyConfiguration(
                nodeName: "n1", primaryNodePorts: PrimaryNodePorts(bindAddress: nil, candidates: candidates)))
        tracker.apply(.upsert(.service(try Objects.web(spec: Self.nodePortService))))
        tracker.apply(.upsert(.node(ValidatedNode(name: "n1", hostIPs: [F.ip("192.168.1.5")]))))
        #expect(tracker.configuration.nodePortAddresses == [F.ip("192.168.1.5")])
        #expect(tracker.apply(.upsert(.node(ValidatedNode(name: "n2", hostIPs: [F.ip("192.168.1.6")])))).isEmpty)
        let moved = tracker.apply(.upsert(.node(ValidatedNode(name: "n1", hostIPs: [F.ip("192.168.1.6")]))))
        #expect(moved.virtualServers == [F.key(.tcp, "192.168.1.5", 30080), F.key(.tcp, "192.168.1.6", 30080)])
        #expect(tracker.configuration.nodePortAddresses == [F.ip("192.168.1.6")])
        // The primary IP leaves the node's interfaces: no NodePort on it any more; it comes back: there again.
        let local = { (addresses: [String]) in
            NodeAddressSet(
                addresses.map {
                    LocalAddress(address: F.ip($0), prefixLength: 32, interfaceIndex: 2, interfaceName: "eth0")
                }, prefixes: [], vipLink: "kube-ipvs0")
        }
        #expect(!tracker.updateNode(local(["192.168.1.5"])).isEmpty)
        #expect(tracker.configuration.nodePortAddresses.isEmpty)
        #expect(!tracker.updateNode(local(["192.168.1.5", "192.168.1.6"])).isEmpty)
        #expect(tracker.configuration.nodePortAddresses == [F.ip("192.168.1.6")])
        // A deleted Node keeps its last IPs.
        #expect(tracker.apply(.delete(.node(ValidatedNode(name: "n1")))).isEmpty)
        #expect(tracker.configuration.nodePortAddresses == [F.ip("192.168.1.6")])
    }
}
