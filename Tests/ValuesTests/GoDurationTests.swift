import Values
import Testing

@Suite struct GoDurationTests {
    @Test(arguments: [
        ("30s", Duration.seconds(30)), ("1m30s", .seconds(90)), ("2h22m", .seconds(2 * 3600 + 22 * 60)),
        ("500ms", .milliseconds(500)), ("1.5h", .seconds(5400)), ("0s", .zero), ("0", .zero), ("45", .seconds(45)),
        ("100us", .microseconds(100)), ("10ns", .nanoseconds(10)),
    ])
    func parses(text: String, expected: Duration) {
        #expect(GoDuration.parse(text, bareSeconds: true) == expected)
    }

    @Test(arguments: ["", "s", "-5s", "5d", "1m 30s", "fast", "1.2.3s", "-1", "10x"])
    func rejects(text: String) {
        #expect(GoDuration.parse(text, bareSeconds: true) == nil)
    }
}

@Suite struct GoDurationSyntaxTests {
    @Test(arguments: [
        ("1h30m", Duration.seconds(5400)), ("250µs", .microseconds(250)), ("250μs", .microseconds(250)),
        ("+5s", .seconds(5)), (".5s", .milliseconds(500)), ("1.s", .seconds(1)),
    ])
    func parsesGoForms(text: String, expected: Duration) {
        #expect(GoDuration.parse(text) == expected)
    }

    @Test(arguments: ["45", "1.5", ".", ".s", "3000000h", "1e3s", "5 s"])
    func refusesWhatGoRefuses(text: String) {
        #expect(GoDuration.parse(text) == nil)
    }

    @Test(arguments: [
        (Duration.zero, "0s"), (.nanoseconds(10), "10ns"), (.microseconds(250), "250µs"),
        (.microseconds(1500), "1.5ms"), (.milliseconds(500), "500ms"), (.seconds(1), "1s"),
        (.milliseconds(1500), "1.5s"), (.seconds(90), "1m30s"), (.seconds(3600), "1h0m0s"),
        (.seconds(5430), "1h30m30s"), (.milliseconds(60_500), "1m0.5s"),
    ])
    func formatsAsGoDoes(duration: Duration, text: String) {
        #expect(GoDuration.format(duration) == text)
        #expect(GoDuration.parse(text) == duration)
    }
}
