import Testing
import Values

@testable import Pods

/// The pod CIDR option: an IPv4 `AddressPrefix`, parsed strictly (the address forms themselves are tested in
/// ValuesTests).
@Suite struct PodCIDRTests {
    @Test(arguments: [
        ("10.244.0.0/24", "10.244.0.0", UInt8(24), UInt64(256)),
        ("192.168.4.0/22", "192.168.4.0", 22, 1024),
        ("10.0.0.8/30", "10.0.0.8", 30, 4),
        ("0.0.0.0/0", "0.0.0.0", 0, 1 << 32),
    ])
    func parses(text: String, network: String, length: UInt8, size: UInt64) throws {
        let cidr = try PodNetworkOptions.parseCIDR(text)
        #expect(cidr.network.description == network)
        #expect(cidr.length == length)
        #expect(cidr.size == size)
        #expect(cidr.description == text)
    }

    @Test(arguments: [
        "10.244.0.0", "10.244.0.0/33", "10.244.0.0/", "10.244.0/24", "10.244.0.256/24", "10.244.0.5/24",
        "a.b.c.d/8", "10.244.0.0/-1", "10.244.0.0/2x", "010.0.0.0.0/8", "fd00::/64",
    ])
    func refuses(text: String) {
        #expect(throws: PodsError.self) { try PodNetworkOptions.parseCIDR(text) }
    }

    @Test func hostBitsAreRefusedWithTheNetworkMeant() {
        #expect {
            try PodNetworkOptions.parseCIDR("10.244.0.5/24")
        } throws: { error in
            (error as? PodsError)?.code == .invalidArgument
                && (error as? PodsError)?.message == "CIDR '10.244.0.5/24' has host bits set (did you mean 10.244.0.0/24?)"
        }
    }

    @Test func defaultIsTheLabsCIDR() {
        #expect(PodNetworkOptions.defaultCIDR == AddressPrefix("10.244.0.0/24", strict: true))
        #expect(PodNetworkOptions().cidr == PodNetworkOptions.defaultCIDR)
    }

    @Test func hostAddresses() throws {
        let cidr = try PodNetworkOptions.parseCIDR("10.244.0.0/24")
        #expect(cidr.host(0) == nil)
        #expect(cidr.host(1)?.description == "10.244.0.1")
        #expect(cidr.host(254)?.description == "10.244.0.254")
        #expect(cidr.host(255) == nil)
        let tiny = try PodNetworkOptions.parseCIDR("10.0.0.8/31")
        #expect(tiny.host(1) == nil)
    }

    @Test func containment() throws {
        let cidr = try PodNetworkOptions.parseCIDR("10.244.0.0/16")
        #expect(cidr.contains(try #require(IPAddress("10.244.255.3"))))
        #expect(!cidr.contains(try #require(IPAddress("10.245.0.1"))))
    }
}
