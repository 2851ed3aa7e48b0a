import Values
import IPVS
import Testing

@testable import Proxy

@Suite struct NodeAddressesTests {
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

    /// Loopback of both families and IPv6 link-local addresses are skipped; IPv4 link-local ones are served, as
    /// kube-proxy does.
    @Test func loopbackAndIPv6LinkLocalAreSkipped() {
        let local = [
            LocalAddress(address: F.ip("127.0.0.53"), prefixLength: 8, interfaceIndex: 1, interfaceName: "lo"),
            LocalAddress(address: F.ip("::1"), prefixLength: 128, interfaceIndex: 1, interfaceName: "lo"),
            LocalAddress(address: F.ip("fe80::2"), prefixLength: 64, interfaceIndex: 2, interfaceName: "eth0"),
            LocalAddress(address: F.ip("169.254.10.1"), prefixLength: 16, interfaceIndex: 2, interfaceName: "eth0"),
            LocalAddress(address: F.ip("fd00::5"), prefixLength: 64, interfaceIndex: 2, interfaceName: "eth0"),
        ]
        #expect(
            NodeAddresses.nodePortAddresses(local, prefixes: [], vipLink: "kube-ipvs0") == [
                F.ip("169.254.10.1"), F.ip("fd00::5"),
            ]
        )
    }
}
