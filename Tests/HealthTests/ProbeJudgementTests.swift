@testable import Health
import Testing

@Suite("Probe judgements")
struct ProbeJudgementTests {
    @Test(arguments: [
        ("HTTP/1.1 200 OK\r", 200...399, true),
        ("HTTP/1.1 302 Found", 200...399, true),
        ("HTTP/1.1 503 Service Unavailable", 200...399, false),
        ("HTTP/1.0 204 No Content", 200...204, true),
        ("HTTP/1.1 404 Not Found", 404...404, true),
        ("SSH-2.0-OpenSSH_9.2", 200...399, false),
        ("HTTP/1.1 abc", 200...399, false),
        ("", 200...399, false),
    ])
    func httpStatusLine(line: String, statuses: ClosedRange<Int>, healthy: Bool) {
        #expect((HTTPProbeHandler.judge(statusLine: Array(line.utf8), statuses: statuses) == nil) == healthy)
    }

    @Test(arguments: [
        ("pong from pod-1", "pong", true),
        ("pong", "pong", true),
        ("pon", "pong", false),
        ("ping", "pong", false),
        ("anything", "", true),
        ("", "", true),
        ("", "x", false),
    ])
    func udpReplyContains(reply: String, expect: String, healthy: Bool) {
        #expect(UDPProbeHandler.contains(Array(reply.utf8), Array(expect.utf8)) == healthy)
    }

    @Test func probeSpecKeepsTimeoutWithinInterval() {
        let probe = HealthProbe(interval: .seconds(1), timeout: .seconds(5), rise: 0, fall: -1)
        #expect(probe.timeout == .seconds(1))
        #expect(probe.rise == 1)
        #expect(probe.fall == 1)
    }
}
