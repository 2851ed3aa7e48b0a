import Health
import IPVS
import Kube
import Testing

@testable import Proxy

@Suite("Health-check annotations")
struct HealthAnnotationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var annotations: [String: String]
        var defaults = HealthAnnotationTests.allowed
        /// nil: not checked.
        var tcp: HealthProbe?
        var udp: HealthProbe?
        var action: HealthCheckConfiguration.Action = .remove
        var allDown: HealthCheckConfiguration.AllDownPolicy = .keep
        /// The annotations named in diagnostics.
        var bad: [String] = []
        var testDescription: String { name }
    }

    static let base = HealthProbe()
    /// The operator allows annotations (the tests of the policy itself are HealthPolicyTests').
    static let allowed = HealthCheckConfiguration(annotations: .allow, allowedPrefixes: [F.prefix("10.0.0.0/8")])
    static func allowed(enabled: Bool) -> HealthCheckConfiguration {
        var configuration = allowed
        configuration.enabled = enabled
        return configuration
    }
    static func probe(_ kind: HealthProbeKind, interval: Duration = .seconds(5), timeout: Duration = .seconds(2),
                      rise: Int = 2, fall: Int = 3) -> HealthProbe {
        HealthProbe(kind: kind, interval: interval, timeout: timeout, rise: rise, fall: fall)
    }
    static let root = HealthProbeKind.http(path: "/", host: nil, statuses: 200...399)

    static let cases: [Case] = [
        Case(name: "off by default", annotations: [:]),
        Case(name: "on with the default TCP probe", annotations: ["ipvs-proxy.io/health-check": "on"], tcp: base),
        Case(name: "on for all by flag", annotations: [:], defaults: allowed(enabled: true), tcp: base),
        Case(name: "off overrides the flag", annotations: ["ipvs-proxy.io/health-check": "off"],
             defaults: allowed(enabled: true)),
        Case(name: "http with defaults", annotations: ["ipvs-proxy.io/health-check": "http"], tcp: probe(root)),
        Case(name: "path makes it http",
             annotations: ["ipvs-proxy.io/health-check": "on", "ipvs-proxy.io/health-check-path": "/healthz",
                           "ipvs-proxy.io/health-check-host": "web.local", "ipvs-proxy.io/health-check-status": "200"],
             tcp: probe(.http(path: "/healthz", host: "web.local", statuses: 200...200))),
        Case(name: "timing",
             annotations: ["ipvs-proxy.io/health-check": "tcp", "ipvs-proxy.io/health-check-interval": "2s",
                           "ipvs-proxy.io/health-check-timeout": "1500ms", "ipvs-proxy.io/health-check-rise": "1",
                           "ipvs-proxy.io/health-check-fall": "2"],
             tcp: probe(.tcp, interval: .seconds(2), timeout: .milliseconds(1500), rise: 1, fall: 2)),
        Case(name: "udp payload adds a UDP probe",
             annotations: ["ipvs-proxy.io/health-check": "on", "ipvs-proxy.io/health-check-udp-payload": "ping",
                           "ipvs-proxy.io/health-check-udp-expect": "pong"],
             tcp: base, udp: probe(.udp(payload: Array("ping".utf8), expect: Array("pong".utf8)))),
        Case(name: "action and all-down",
             annotations: ["ipvs-proxy.io/health-check": "on", "ipvs-proxy.io/health-check-action": "Inhibit",
                           "ipvs-proxy.io/health-check-all-down": "remove"],
             tcp: base, action: .inhibit, allDown: .remove),
        Case(name: "bad values are reported and defaulted",
             annotations: ["ipvs-proxy.io/health-check": "on", "ipvs-proxy.io/health-check-interval": "soon",
                           "ipvs-proxy.io/health-check-fall": "0", "ipvs-proxy.io/health-check-status": "2xx",
                           "ipvs-proxy.io/health-check-action": "kill"],
             tcp: base,
             bad: ["ipvs-proxy.io/health-check-action", "ipvs-proxy.io/health-check-fall",
                   "ipvs-proxy.io/health-check-interval", "ipvs-proxy.io/health-check-status"]),
        Case(name: "an unknown mode is reported; off stays off", annotations: ["ipvs-proxy.io/health-check": "icmp"],
             bad: ["ipvs-proxy.io/health-check"]),
        Case(name: "timeout above interval is reported and capped",
             annotations: ["ipvs-proxy.io/health-check": "on", "ipvs-proxy.io/health-check-interval": "1s",
                           "ipvs-proxy.io/health-check-timeout": "3s"],
             tcp: probe(.tcp, interval: .seconds(1), timeout: .seconds(1)), bad: ["ipvs-proxy.io/health-check-timeout"]),
    ]

    @Test(arguments: cases)
    func parse(_ test: Case) throws {
        let lines = test.annotations.sorted { $0.key < $1.key }.map { "    \($0.key): \"\($0.value)\"" }
        let metadata = lines.isEmpty ? "" : "  annotations:\n" + lines.joined(separator: "\n")
        let service = try Objects.web(spec: "  clusterIP: 10.96.0.10\n  ports: [{name: http, protocol: TCP, port: 80}]",
                                      metadata: metadata)
        let (check, diagnostics) = ServiceTranslator.healthCheck(of: service, defaults: test.defaults)
        #expect(check?.tcp == test.tcp)
        #expect(check?.udp == test.udp)
        if check != nil {
            #expect(check?.action == test.action)
            #expect(check?.allDown == test.allDown)
        }
        #expect(diagnostics.map(\.field).sorted() == test.bad.map { "metadata.annotations[\($0)]" })
        #expect(diagnostics.allSatisfy { $0.code == .badAnnotation })
    }
}
