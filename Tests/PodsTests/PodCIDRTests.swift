import Testing

@testable import Pods

@Suite struct PodCIDRTests {
    @Test(arguments: [
        ("10.244.0.0/24", "10.244.0.0", 24, UInt64(256)),
        ("192.168.4.0/22", "192.168.4.0", 22, 1024),
        ("10.0.0.8/30", "10.0.0.8", 30, 4),
        ("0.0.0.0/0", "0.0.0.0", 0, 1 << 32),
    ])
    func parses(text: String, network: String, prefix: Int, size: UInt64) throws {
        let cidr = try PodCIDR(parsing: text)
        #expect(cidr.network.description == network)
        #expect(cidr.prefixLength == prefix)
        #expect(cidr.size == size)
        #expect(cidr.description == text)
    }

    @Test(arguments: [
        "10.244.0.0", "10.244.0.0/33", "10.244.0.0/", "10.244.0/24", "10.244.0.256/24", "10.244.0.5/24",
        "a.b.c.d/8", "10.244.0.0/-1", "10.244.0.0/2x", "010.0.0.0.0/8",
    ])
    func refuses(text: String) {
        #expect(throws: PodsError.self) { try PodCIDR(parsing: text) }
    }

    @Test func hostAddresses() throws {
        let cidr = try PodCIDR(parsing: "10.244.0.0/24")
        #expect(cidr.host(0) == nil)
        #expect(cidr.host(1)?.description == "10.244.0.1")
        #expect(cidr.host(254)?.description == "10.244.0.254")
        #expect(cidr.host(255) == nil)
        let tiny = try PodCIDR(parsing: "10.0.0.8/31")
        #expect(tiny.host(1) == nil)
    }

    @Test func containment() throws {
        let cidr = try PodCIDR(parsing: "10.244.0.0/16")
        #expect(cidr.contains(try #require(PodIPv4Address("10.244.255.3"))))
        #expect(!cidr.contains(try #require(PodIPv4Address("10.245.0.1"))))
    }

    @Test(arguments: [("1.2.3.4", UInt32(0x0102_0304)), ("255.255.255.255", .max), ("0.0.0.0", 0)])
    func addresses(text: String, value: UInt32) throws {
        let address = try #require(PodIPv4Address(text))
        #expect(address.value == value)
        #expect(address.description == text)
    }

    @Test(arguments: ["1.2.3", "1.2.3.4.5", "1.2.3.256", "1..3.4", "1.2.3.-4", " 1.2.3.4", "1.2.3.0004"])
    func refusesAddresses(text: String) {
        #expect(PodIPv4Address(text) == nil)
    }
}
