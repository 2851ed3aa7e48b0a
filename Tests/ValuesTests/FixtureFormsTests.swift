import Foundation
import Testing
import Values

/// The forms the pods fixture and the scheduler benchmark read and write, which had parsers of their own before
/// (PodIPv4Address, PodCIDR, DurationText, BenchFormat.parseDuration): they now go through Values.
@Suite struct FixtureFormsTests {
    @Test(arguments: [("1.2.3.4", UInt32(0x0102_0304)), ("255.255.255.255", .max), ("0.0.0.0", 0)])
    func ipv4Addresses(text: String, value: UInt32) throws {
        let address = try #require(IPv4Address(text))
        #expect(address.value == value)
        #expect(address.description == text)
    }

    @Test(arguments: ["1.2.3", "1.2.3.4.5", "1.2.3.256", "1..3.4", "1.2.3.-4", " 1.2.3.4", "1.2.3.0004"])
    func refusesIPv4Addresses(text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test func prefixFromCode() {
        let prefix = AddressPrefix(IPv4Address(10, 244, 0, 0), length: 24)
        #expect(prefix == AddressPrefix("10.244.0.0/24", strict: true))
        #expect(AddressPrefix(IPv4Address(10, 0, 0, 1), length: 40).length == 32)
    }

    /// The pods fixture's state file holds addresses and prefixes as text.
    @Test func addressesAndPrefixesAreTextInJSON() throws {
        struct Record: Codable, Equatable {
            var address: IPAddress
            var v6: IPAddress
            var cidr: AddressPrefix
        }
        let record = Record(
            address: try #require(IPAddress("10.244.0.10")), v6: try #require(IPAddress("fd00::1")),
            cidr: try #require(AddressPrefix("10.244.0.0/24")))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(record), as: UTF8.self)
        #expect(json == #"{"address":"10.244.0.10","cidr":"10.244.0.0\/24","v6":"fd00::1"}"#)
        #expect(try JSONDecoder().decode(Record.self, from: Data(json.utf8)) == record)
        for bad in [
            #"{"address":"10.244.0.300","cidr":"10.0.0.0/8","v6":"::"}"#,
            #"{"address":"10.0.0.1","cidr":"10.0.0.0/33","v6":"::"}"#,
        ] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(Record.self, from: Data(bad.utf8)) }
        }
    }

    @Test(arguments: [
        ("0", Duration.zero), ("50ms", .milliseconds(50)), ("1.5s", .milliseconds(1500)), ("250us", .microseconds(250)),
        ("250µs", .microseconds(250)), ("7ns", .nanoseconds(7)), ("2s", .seconds(2)), ("0.5ms", .microseconds(500)),
        ("250ms", .milliseconds(250)), ("8s", .seconds(8)), ("500us", .microseconds(500)), ("2m", .seconds(120)),
    ])
    func durations(text: String, expected: Duration) {
        #expect(GoDuration.parse(text) == expected)
    }

    @Test(arguments: [
        "", "50", "5", "ms", "-5ms", "-1s", "5 ms", "5min", "abcms", "infs", "nanms", "1e30s", "fast",
    ])
    func refusesDurations(text: String) {
        #expect(GoDuration.parse(text) == nil)
    }

    /// As a pod's delay is printed (and read back by its server): the fixture's old form wrote 1500us, Go's
    /// writes 1.5ms.
    @Test(arguments: [
        (Duration.zero, "0s"), (.milliseconds(50), "50ms"), (.seconds(3), "3s"), (.microseconds(1500), "1.5ms"),
        (.nanoseconds(1_000_001), "1.000001ms"),
    ])
    func formatsDurations(duration: Duration, expected: String) {
        #expect(GoDuration.format(duration) == expected)
        #expect(GoDuration.parse(expected) == duration)
    }
}
