import Values
import IPVS
import Testing

@testable import Proxy

@Suite struct NodeAddressesTests {
    @Test(arguments: [
        ("10.0.0.0/8", "10.200.3.4", true), ("10.0.0.0/8", "11.0.0.1", false), ("192.168.1.0/24", "192.168.1.255", true),
        ("192.168.1.0/25", "192.168.1.128", false), ("0.0.0.0/0", "8.8.8.8", true), ("fd00::/8", "fd12::1", true),
        ("fd00::/8", "fe00::1", false), ("10.0.0.0/8", "fd00::1", false), ("10.1.2.3/32", "10.1.2.3", true),
    ])
    func prefixContainment(prefix: String, address: String, expected: Bool) throws {
        let parsed = try #require(AddressPrefix(prefix))
        #expect(parsed.contains(F.ip(address)) == expected)
    }

    @Test(arguments: ["10.0.0.0", "10.0.0.0/33", "fd00::/129", "x/8", "10.0.0.0/", "/8"])
    func badPrefixesAreRejected(text: String) {
        #expect(AddressPrefix(text) == nil)
    }

    let local = [
        LocalAddress(address: F.ip("127.0.0.1"), prefixLength: 8, interfaceIndex: 1, interfaceName: "lo"),
        LocalAddress(address: F.ip("192.168.1.5"), prefixLength: 24, interfaceIndex: 2, interfaceName: "eth0"),
        LocalAddress(address: F.ip("fe80::1"), prefixLength: 64, interfaceIndex: 2, interfaceName: "eth0"),
        LocalAddress(address: F.ip("10.0.0.5"), prefixLength: 16, interfaceIndex: 3, interfaceName: "eth1"),
        LocalAddress(address: F.ip("10.96.0.10"), prefixLength: 32, interfaceIndex: 4, interfaceName: "kube-ipvs0"),
    ]

    @Test func nodePortsGoOnEveryRealInterfaceAddressByDefault() {
        #expect(
            NodeAddresses.nodePortAddresses(local, prefixes: [], vipLink: "kube-ipvs0") == [
                F.ip("192.168.1.5"), F.ip("10.0.0.5"),
            ]
        )
    }

    @Test func nodePortAddressesFlagRestrictsThem() throws {
        let prefixes = [try #require(AddressPrefix("10.0.0.0/8"))]
        #expect(NodeAddresses.nodePortAddresses(local, prefixes: prefixes, vipLink: "kube-ipvs0") == [F.ip("10.0.0.5")])
    }

    @Test func otherInterfacesExcludeTheVIPLink() {
        #expect(!NodeAddresses.otherInterfaceAddresses(local, vipLink: "kube-ipvs0").contains(F.ip("10.96.0.10")))
        #expect(NodeAddresses.otherInterfaceAddresses(local, vipLink: "kube-ipvs0").contains(F.ip("192.168.1.5")))
    }
}
