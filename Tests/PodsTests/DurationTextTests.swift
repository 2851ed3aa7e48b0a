import Testing

@testable import Pods

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("0", Duration.zero),
        ("50ms", .milliseconds(50)),
        ("1.5s", .milliseconds(1500)),
        ("250us", .microseconds(250)),
        ("250µs", .microseconds(250)),
        ("7ns", .nanoseconds(7)),
        ("2s", .seconds(2)),
        ("0.5ms", .microseconds(500)),
    ])
    func parses(text: String, expected: Duration) throws {
        #expect(try DurationText.parse(text) == expected)
    }

    @Test(arguments: ["", "50", "ms", "-5ms", "5 ms", "5min", "abcms", "infs", "nanms", "1e30s"])
    func refuses(text: String) {
        #expect(throws: PodsError.self) { try DurationText.parse(text) }
    }

    @Test(arguments: [
        (Duration.zero, "0"),
        (.milliseconds(50), "50ms"),
        (.seconds(3), "3s"),
        (.microseconds(1500), "1500us"),
        (.nanoseconds(1_000_001), "1000001ns"),
    ])
    func formats(duration: Duration, expected: String) {
        #expect(DurationText.format(duration) == expected)
    }
}
