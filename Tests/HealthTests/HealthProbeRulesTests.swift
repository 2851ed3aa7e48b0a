import Testing

@testable import Health

/// The limits every probe parameter is held to, settings and annotations alike: one table per rule.
@Suite("Health probe rules")
struct HealthProbeRulesTests {
    static let longPath = "/" + String(repeating: "a", count: 1023)

    /// (path, a fragment of the problem; nil: accepted).
    static let paths: [(String, String?)] = [
        ("/", nil),
        ("/healthz?full=1&x=%20y", nil),
        (longPath, nil),
        (longPath + "a", "is 1025 bytes long (at most 1024)"),
        ("", "must start with /"),
        ("healthz", "must start with /"),
        ("/a\r\nX-Injected: 1", "a carriage return (CR, 0x0d)"),
        ("/a\nHost: evil", "a line feed (LF, 0x0a)"),
        ("/a\u{0}b", "a NUL byte (0x00)"),
        ("/a\u{1}b", "a control character (0x01)"),
        ("/a\u{7F}", "a DEL byte (0x7f)"),
        ("/a b", "a space"),
        ("/a HTTP/1.0", "a space"),
        ("/\tx", "a tab (0x09)"),
        ("/caf\u{E9}", "a non-ASCII byte (0xc3)"),
    ]

    @Test(arguments: paths)
    func path(_ path: String, _ problem: String?) {
        let found = HealthProbeRules.pathProblem(path)
        if let problem {
            #expect(found?.contains(problem) == true, "\(found ?? "accepted")")
        } else {
            #expect(found == nil)
        }
    }

    static let hosts: [(String, String?)] = [
        ("web", nil),
        ("web.default.svc.cluster.local", nil),
        ("web.local.", nil),
        ("web.local:8080", nil),
        ("10.244.0.10", nil),
        ("10.244.0.10:80", nil),
        ("[fd00::1]", nil),
        ("[fd00::1]:8080", nil),
        (String(repeating: "a.", count: 126) + "a", nil),
        (String(repeating: "a.", count: 126) + "ab", "host name is 254 characters long (at most 253)"),
        (String(repeating: "a", count: 64), "has a label of 64 characters"),
        ("", "has no host name"),
        (":80", "has no host name"),
        ("web\r\nX-Injected: 1", "a carriage return (CR, 0x0d)"),
        ("web\n", "a line feed (LF, 0x0a)"),
        ("web\u{0}", "a NUL byte (0x00)"),
        ("web\u{7F}", "a DEL byte (0x7f)"),
        ("web local", "a space"),
        ("web:0", "port \"0\" is not a number from 1 to 65535"),
        ("web:65536", "is not a number from 1 to 65535"),
        ("web:+80", "is not a number from 1 to 65535"),
        ("web:", "is not a number from 1 to 65535"),
        ("fd00::1", "an IPv6 address needs brackets"),
        ("[fd00::1", "has no ]"),
        ("[10.0.0.1]", "is not an IPv6 address"),
        ("[fd00::1]x", "expected :port"),
        ("-web", "starting or ending with -"),
        ("web..local", "has a label of 0 characters"),
        ("web_1", "only letters, digits, - and ."),
        ("user@web", "only letters, digits, - and ."),
        ("web/path", "only letters, digits, - and ."),
    ]

    @Test(arguments: hosts)
    func host(_ host: String, _ problem: String?) {
        let found = HealthProbeRules.hostProblem(host)
        if let problem {
            #expect(found?.contains(problem) == true, "\(found ?? "accepted")")
        } else {
            #expect(found == nil)
        }
    }

    @Test func udpPayloadAndExpectedReplyAreBounded() {
        #expect(HealthProbeRules.udpPayloadProblem(Array("ping".utf8)) == nil)
        #expect(HealthProbeRules.udpPayloadProblem([UInt8](repeating: 0x41, count: 512)) == nil)
        #expect(
            HealthProbeRules.udpPayloadProblem([UInt8](repeating: 0x41, count: 513))
                == "is 513 bytes long (at most 512)")
        #expect(HealthProbeRules.udpPayloadProblem([]) == "is empty")
        #expect(HealthProbeRules.udpExpectProblem([]) == nil)
        #expect(HealthProbeRules.udpExpectProblem([UInt8](repeating: 0x41, count: 512)) == nil)
        #expect(
            HealthProbeRules.udpExpectProblem([UInt8](repeating: 0x41, count: 513)) == "is 513 bytes long (at most 512)"
        )
    }

    static let floors: [(Duration, Bool)] = [
        (.milliseconds(10), false), (.milliseconds(999), false), (.seconds(1), true), (.seconds(5), true),
    ]

    @Test(arguments: floors)
    func intervalAndTimeoutFloor(_ duration: Duration, _ accepted: Bool) {
        #expect((HealthProbeRules.annotationIntervalProblem(duration) == nil) == accepted)
        #expect((HealthProbeRules.annotationTimeoutProblem(duration) == nil) == accepted)
        if !accepted {
            #expect(HealthProbeRules.annotationIntervalProblem(duration) == "is less than 1s, the least allowed")
        }
    }

    @Test func quotedValuesCannotBreakALogLine() {
        #expect(HealthProbeRules.quoted("/a\r\nHost: x\u{0}\u{7F}\"\\") == #""/a\r\nHost: x\u{0}\u{7f}\"\\""#)
        #expect(
            HealthProbeRules.quoted(String(repeating: "a", count: 100)) == "\"" + String(repeating: "a", count: 80)
                + "...\"")
    }
}
