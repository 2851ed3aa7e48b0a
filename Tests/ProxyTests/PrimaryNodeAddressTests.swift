import IPVS
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

    /// A Node's status addresses → the node IPs kube-proxy's GetNodeHostIPs gives: the first (InternalIPs before
    /// ExternalIPs), then the first of the other family.
    @Test(arguments: [
        ([], [], []),
        (["192.168.1.5", "192.168.1.6"], [], ["192.168.1.5"]),
        (["192.168.1.5", "192.168.1.6", "fd00::5"], [], ["192.168.1.5", "fd00::5"]),
        (["fd00::5"], ["203.0.113.7"], ["fd00::5", "203.0.113.7"]),
        ([], ["203.0.113.7", "2001:db8::7"], ["203.0.113.7", "2001:db8::7"]),
        (["192.168.1.5"], ["2001:db8::7", "203.0.113.7"], ["192.168.1.5", "2001:db8::7"]),
    ] as [([String], [String], [String])])
    func nodeHostIPs(internalIPs: [String], externalIPs: [String], expected: [String]) {
        let ips = NodeAddresses.nodeHostIPs(internalIPs: internalIPs.map(F.ip), externalIPs: externalIPs.map(F.ip))
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
}
