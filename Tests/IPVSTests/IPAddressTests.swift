import Values
import Glibc
import Testing

@testable import IPVS

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("10.96.0.1", "10.96.0.1"), ("0.0.0.0", "0.0.0.0"), ("255.255.255.255", "255.255.255.255"),
        ("192.168.1.10", "192.168.1.10"),
    ])
    func parsesIPv4(text: String, printed: String) throws {
        let address = try #require(IPv4Address(text))
        #expect(address.description == printed)
        #expect(IPAddress(text) == .v4(address))
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "a.b.c.d", "1..2.3", " 1.2.3.4"])
    func rejectsBadIPv4(text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test func ipv4Value() throws {
        let address = try #require(IPv4Address("10.0.0.1"))
        #expect(address.value == 0x0A00_0001)
        #expect(address.bytes == [10, 0, 0, 1])
        #expect(IPv4Address(10, 0, 0, 1) == address)
    }

    @Test(arguments: [
        ("::", "::"), ("::1", "::1"), ("1::", "1::"), ("fd00::10", "fd00::10"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:DB8::AB", "2001:db8::ab"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
        ("::ffff:10.0.0.1", "::ffff:a00:1"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("fe80::1:2:3:4", "fe80::1:2:3:4"),
    ])
    func parsesAndPrintsIPv6Canonically(text: String, printed: String) throws {
        let address = try #require(IPv6Address(text))
        #expect(address.description == printed)
        #expect(IPv6Address(printed) == address)
    }

    @Test(arguments: [
        "", ":", ":::", "1::2::3", "12345::", "g::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "::1.2.3",
        "1:2:3:4:5:6:7:8::", "[::1]", "fe80::1%eth0",
    ])
    func rejectsBadIPv6(text: String) {
        #expect(IPv6Address(text) == nil)
    }

    /// The C library is the oracle: random addresses, with runs of zero groups, must print as inet_ntop does
    /// and parse as inet_pton does (IPv4-mapped and -compatible forms excluded: glibc prints them dotted).
    @Test func matchesInetNtopAndPton() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var groups = (0..<8).map { _ in UInt16.random(in: 0...UInt16.max, using: &generator) }
            for index in 0..<8 where Bool.random(using: &generator) { groups[index] = 0 }
            let bytes = groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
            let address = try #require(IPv6Address(bytes: bytes))
            if address.high == 0, address.low >> 32 == 0 || address.low >> 32 == 0xffff { continue }
            var raw = in6_addr()
            withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            let text = try #require(inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)))
            let expected = String(cString: text)
            #expect(address.description == expected)
            #expect(IPv6Address(expected) == address)
        }
    }

    @Test func kernelBytesAreSixteenWithIPv4First() throws {
        let v4 = try #require(IPAddress("10.96.0.10"))
        #expect(v4.kernelBytes == [10, 96, 0, 10] + [UInt8](repeating: 0, count: 12))
        #expect(IPAddress(kernelBytes: v4.kernelBytes, family: .ipv4) == v4)
        let v6 = try #require(IPAddress("fd00::1"))
        #expect(v6.kernelBytes.count == 16)
        #expect(IPAddress(kernelBytes: v6.kernelBytes, family: .ipv6) == v6)
        #expect(v6.withPort(443) == "[fd00::1]:443")
        #expect(v4.withPort(80) == "10.96.0.10:80")
    }

    @Test func ordersIPv4BeforeIPv6() throws {
        let list = ["fd00::1", "10.0.0.2", "10.0.0.1", "::1"].compactMap { IPAddress($0) }
        #expect(list.sorted().map(\.description) == ["10.0.0.1", "10.0.0.2", "::1", "fd00::1"])
    }
}
