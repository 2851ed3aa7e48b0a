import Settings
import Testing

@Suite struct GoDurationTests {
    @Test(arguments: [
        ("30s", Duration.seconds(30)), ("1m30s", .seconds(90)), ("2h22m", .seconds(2 * 3600 + 22 * 60)),
        ("500ms", .milliseconds(500)), ("1.5h", .seconds(5400)), ("0s", .zero), ("0", .zero), ("45", .seconds(45)),
        ("100us", .microseconds(100)), ("10ns", .nanoseconds(10)),
    ])
    func parses(text: String, expected: Duration) {
        #expect(GoDuration.parse(text) == expected)
    }

    @Test(arguments: ["", "s", "-5s", "5d", "1m 30s", "fast", "1.2.3s", "-1", "10x"])
    func rejects(text: String) {
        #expect(GoDuration.parse(text) == nil)
    }
}
