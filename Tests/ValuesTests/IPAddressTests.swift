import Glibc
import Testing
import Values

/// Parsing and printing addresses, once for the whole project: IPv4 dotted quads, IPv6 in any RFC 4291 form
/// printed as RFC 5952 says, with the C library as the oracle.
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

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "a.b.c.d", "1..2.3", " 1.2.3.4", "1.2.3.4 ",
        "1.2.3.4.", ".1.2.3.4", "00.1.2.3", "1.2.3.1000", "1.2.3.0255", "1.2.3.\u{0664}", "1\u{0301}.2.3.4", "...",
    ])
    func rejectsBadIPv4(text: String) {
        #expect(IPv4Address(text) == nil)
    }

    /// The C library is the oracle for IPv4 too: random strings of digits and dots parse exactly when `inet_pton`
    /// accepts them, to the same value.
    @Test func ipv4MatchesInetPton() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789..")
        var accepted = 0
        for round in 0..<20_000 {
            // Any string, or four parts of one to three digits (so that most are addresses).
            let text =
                round % 2 == 0
                ? randomText(Int.random(in: 0...16, using: &generator), from: alphabet, using: &generator)
                : (0..<4).map { _ in
                    randomText(Int.random(in: 1...3, using: &generator), from: alphabet[..<10], using: &generator)
                }.joined(separator: ".")
            var raw = in_addr()
            let oracle = inet_pton(AF_INET, text, &raw) == 1 ? UInt32(bigEndian: raw.s_addr) : nil
            #expect(IPv4Address(text)?.value == oracle, "\(text)")
            if oracle != nil { accepted += 1 }
            if let address = IPv4Address(text) { #expect(IPv4Address(address.description) == address) }
        }
        #expect(accepted > 1_000)
    }

    private func randomText(
        _ count: Int, from alphabet: some Collection<Character>, using generator: inout some RandomNumberGenerator
    ) -> String {
        String((0..<count).compactMap { _ in alphabet.randomElement(using: &generator) })
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

    @Test func ordersIPv4BeforeIPv6() throws {
        let list = ["fd00::1", "10.0.0.2", "10.0.0.1", "::1"].compactMap { IPAddress($0) }
        #expect(list.sorted().map(\.description) == ["10.0.0.1", "10.0.0.2", "::1", "fd00::1"])
    }

    @Test func withPortBracketsIPv6() throws {
        #expect(try #require(IPAddress("fd00::1")).withPort(443) == "[fd00::1]:443")
        #expect(try #require(IPAddress("10.96.0.10")).withPort(80) == "10.96.0.10:80")
    }

    /// The forms Kubernetes objects carry (cluster IPs, endpoint addresses) and their canonical text.
    @Test(arguments: [
        ("10.1.2.3", "10.1.2.3"), ("::1", "::1"), ("fd00:0:0::0a", "fd00::a"), ("0.0.0.0", "0.0.0.0"),
    ])
    func canonicalForm(_ text: String, _ canonical: String) throws {
        #expect(try #require(IPAddress(text)).description == canonical)
    }

    @Test(arguments: ["", "None", "1.2.3.4.5", "256.1.1.1", "1.2.3.4/24", " 1.2.3.4", "fd00::1::2", "01.2.3.4x"])
    func notAnIPAddress(_ text: String) {
        #expect(IPAddress(text) == nil)
    }
}

@Suite struct AddressKindTests {
    @Test(arguments: [
        ("239.1.2.3", true), ("224.0.0.1", true), ("223.255.255.255", false), ("ff02::1", true), ("fe80::1", false),
    ])
    func multicast(text: String, expected: Bool) throws {
        #expect(try #require(IPAddress(text)).isMulticast == expected)
    }

    @Test func otherKinds() throws {
        #expect(try #require(IPAddress("0.0.0.0")).isUnspecified)
        #expect(try #require(IPAddress("::")).isUnspecified)
        #expect(try #require(IPAddress("127.0.0.2")).isLoopback)
        #expect(try #require(IPAddress("::1")).isLoopback)
        #expect(try #require(IPAddress("255.255.255.255")).isBroadcast)
        #expect(try #require(IPAddress("169.254.1.1")).isLinkLocal)
        #expect(try #require(IPAddress("fe80::1")).isLinkLocal)
        #expect(!(try #require(IPAddress("10.0.0.1")).isLinkLocal))
    }

    @Test(arguments: ["1:::2", "1::2::3", ":::", "fd00::1::", "::ffff:1.2.3.4.5"])
    func refusesBadIPv6(text: String) {
        #expect(IPv6Address(text) == nil)
    }

    @Test(arguments: [
        ("::", "::"), ("::1", "::1"), ("fd00::", "fd00::"), ("1::", "1::"), ("::ffff:10.0.0.1", "::ffff:a00:1"),
    ])
    func parsesEdgeIPv6(text: String, printed: String) throws {
        #expect(try #require(IPv6Address(text)).description == printed)
    }
}
