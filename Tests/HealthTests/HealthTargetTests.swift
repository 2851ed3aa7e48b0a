import Health
import Testing
import Values

@Suite struct HealthTargetTests {
    static let probe = HealthProbe(kind: .tcp, interval: .seconds(1), timeout: .seconds(1), rise: 1, fall: 1)

    static func target(_ text: String, _ port: UInt16) throws -> HealthTarget {
        HealthTarget(address: try #require(IPAddress(text)), port: port, probe: probe)
    }

    @Test func endpointBracketsIPv6() throws {
        #expect(try Self.target("10.244.0.11", 80).endpoint == "10.244.0.11:80")
        #expect(try Self.target("fd00::1", 80).endpoint == "[fd00::1]:80")
        #expect(try Self.target("fd00::1", 8080).description == "tcp [fd00::1]:8080")
    }

    /// Addresses order as numbers (10.0.0.9 before 10.0.0.10), IPv4 before IPv6, then by port.
    @Test func ordersByAddressThenPort() throws {
        let targets = [
            try Self.target("fd00::1", 80), try Self.target("10.0.0.10", 80), try Self.target("10.0.0.9", 443),
            try Self.target("10.0.0.9", 80),
        ]
        #expect(targets.sorted().map(\.endpoint) == ["10.0.0.9:80", "10.0.0.9:443", "10.0.0.10:80", "[fd00::1]:80"])
    }
}
