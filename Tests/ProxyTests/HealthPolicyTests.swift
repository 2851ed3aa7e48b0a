import Health
import IPVS
import Kube
import Values
import Testing

@testable import Proxy

/// Health checks under the operator's control: annotations count only when allowed, probes go only to endpoint
/// addresses inside the operator's CIDRs, and annotation values are held to HealthProbeRules (floor on timing, no
/// control characters in path or Host, bounded UDP payload). A refused value never stops the Service.
@Suite("Health-check policy")
struct HealthPolicyTests {
    static let pods = [F.prefix("10.244.0.0/16")]

    /// The Service `web` with these annotations, set as the API server hands them over: any text, CR, LF and NUL
    /// included (annotation values are free-form strings).
    static func service(_ annotations: [String: String]) throws -> ValidatedService {
        var service = try Objects.web(spec: "  clusterIP: 10.96.0.10\n  ports: [{name: http, protocol: TCP, port: 80}]")
        service.annotations = annotations
        return service
    }

    static func translate(
        _ annotations: [String: String], health: HealthCheckConfiguration,
        endpoints: [String] = ["10.244.0.10", "10.244.0.11"]
    ) throws -> ServiceTranslator.Output {
        ServiceTranslator.translate(
            try service(annotations),
            slices: [try Objects.webSlice(endpoints: endpoints.map { Objects.ready($0) })],
            configuration: ProxyConfiguration(nodeName: "node-a", health: health))
    }

    // MARK: deny (the default) and allow

    @Test func theDefaultPolicyIgnoresAnnotationsAndSaysSoOnce() throws {
        #expect(HealthCheckConfiguration().annotations == .deny)
        let output = try Self.translate(
            [
                "ipvs-proxy.io/health-check": "on", "ipvs-proxy.io/health-check-interval": "10ms",
                "ipvs-proxy.io/health-check-path": "/x",
            ],
            health: HealthCheckConfiguration(allowedPrefixes: Self.pods))
        #expect(output.health == nil)
        #expect(output.healthTargets.isEmpty)
        #expect(output.virtualServers.first?.realServers.count == 2, "the Service is still programmed")
        let ignored = output.diagnostics.filter { $0.code == .ignoredByPolicy }
        #expect(ignored.count == 1)
        #expect(
            ignored.first?.description
                == "services/default/web: metadata.annotations[ipvs-proxy.io/health-check,"
                + " ipvs-proxy.io/health-check-interval, ipvs-proxy.io/health-check-path]: ignored: this proxy runs"
                + " with --health-check-annotations=deny, so the operator's settings alone decide (health checks off"
                + " for this Service)")
        #expect(output.diagnostics.count == 1, "no second diagnostic for the values it did not look at")
    }

    @Test func underDenyTheOperatorsGlobalSettingStillWorksAndAnnotationsDoNotChangeIt() throws {
        let health = HealthCheckConfiguration(enabled: true, allowedPrefixes: Self.pods)
        let output = try Self.translate(
            [
                "ipvs-proxy.io/health-check": "off", "ipvs-proxy.io/health-check-interval": "1m",
                "ipvs-proxy.io/health-check-action": "inhibit",
            ],
            health: health)
        #expect(output.health == ServiceHealthCheck(tcp: HealthProbe(), udp: nil))
        #expect(output.healthTargets.count == 2)
        #expect(output.diagnostics.map(\.code) == [.ignoredByPolicy])
        #expect(output.diagnostics.first?.message.contains("health checks on for this Service") == true)
        // Without any annotation, nothing to report.
        #expect(try Self.translate([:], health: health).diagnostics.isEmpty)
    }

    @Test func allowHonoursAnnotations() throws {
        let output = try Self.translate(
            [
                "ipvs-proxy.io/health-check": "http", "ipvs-proxy.io/health-check-interval": "3s",
                "ipvs-proxy.io/health-check-path": "/healthz",
            ],
            health: HealthCheckConfiguration(annotations: .allow, allowedPrefixes: Self.pods))
        let probe = HealthProbe(kind: .http(path: "/healthz", host: nil, statuses: 200...399), interval: .seconds(3))
        #expect(output.health?.tcp == probe)
        #expect(
            output.healthTargets == [
                HealthTarget(address: F.ip("10.244.0.10"), port: 8080, probe: probe),
                HealthTarget(address: F.ip("10.244.0.11"), port: 8080, probe: probe),
            ])
        #expect(output.diagnostics.isEmpty)
    }

    // MARK: CIDRs

    @Test func anEndpointOutsideTheCIDRsIsNotProbedButStaysAndIsNamed() throws {
        let output = try Self.translate(
            ["ipvs-proxy.io/health-check": "on"],
            health: HealthCheckConfiguration(annotations: .allow, allowedPrefixes: Self.pods),
            endpoints: ["10.244.0.10", "192.168.7.7", "172.16.0.9"])
        #expect(output.healthTargets.map(\.address) == [F.ip("10.244.0.10")])
        #expect(
            Set(output.virtualServers.first?.realServers.keys.map(\.address) ?? [])
                == [F.ip("10.244.0.10"), F.ip("192.168.7.7"), F.ip("172.16.0.9")],
            "left as the EndpointSlice lists it")
        #expect(
            output.diagnostics.map(\.description) == [
                "services/default/web: endpointslices/default/web-abc endpoints[].addresses: \"192.168.7.7\", \"172.16.0.9\""
                    + " are outside the health-check CIDRs (10.244.0.0/16); not probed, left in the real servers as listed"
            ])
        #expect(output.diagnostics.first?.code == .notProbed)
        // A down verdict cannot exist for it, so the filter keeps it whatever happens to the others.
        let (filtered, _) = HealthFilter.apply(output, down: output.healthTargets)
        #expect(
            Set(filtered.virtualServers.first?.realServers.keys.map(\.address) ?? []) == [
                F.ip("172.16.0.9"), F.ip("192.168.7.7"),
            ])
    }

    @Test func theOperatorsGlobalProbingIsHeldToTheCIDRsToo() throws {
        let output = try Self.translate(
            [:], health: HealthCheckConfiguration(enabled: true, allowedPrefixes: Self.pods),
            endpoints: ["10.244.0.10", "192.168.7.7"])
        #expect(output.healthTargets.map(\.address) == [F.ip("10.244.0.10")])
        #expect(output.diagnostics.map(\.code) == [.notProbed])
    }

    @Test func withNoCIDRsAnnotationsProbeNothingAndTheGlobalSettingProbesAsToday() throws {
        let byAnnotation = try Self.translate(
            ["ipvs-proxy.io/health-check": "on"], health: HealthCheckConfiguration(annotations: .allow))
        #expect(byAnnotation.health == nil)
        #expect(byAnnotation.healthTargets.isEmpty)
        #expect(byAnnotation.diagnostics.map(\.code) == [.ignoredByPolicy])
        #expect(byAnnotation.diagnostics.first?.message.contains("named no CIDRs") == true)
        let global = try Self.translate(
            [:], health: HealthCheckConfiguration(enabled: true), endpoints: ["10.244.0.10", "192.168.7.7"])
        #expect(global.healthTargets.count == 2)
        #expect(global.diagnostics.isEmpty)
    }

    // MARK: values held to HealthProbeRules

    struct Refusal: Sendable, CustomTestStringConvertible {
        var annotation: String
        var value: String
        /// A fragment of the diagnostic's message.
        var problem: String
        var testDescription: String { "\(annotation): \(problem)" }
    }

    static let refusals: [Refusal] = [
        Refusal(
            annotation: "interval", value: "10ms",
            problem: "\"10ms\" is less than 1s, the least allowed; the default is used"),
        Refusal(annotation: "interval", value: "999ms", problem: "is less than 1s"),
        Refusal(annotation: "timeout", value: "500ms", problem: "\"500ms\" is less than 1s, the least allowed"),
        Refusal(
            annotation: "path", value: "/x\r\nX-Injected: 1",
            problem: #""/x\r\nX-Injected: 1" contains a carriage return (CR, 0x0d)"#),
        Refusal(annotation: "path", value: "/x\nHost: evil", problem: "a line feed (LF, 0x0a)"),
        Refusal(annotation: "path", value: "/x\u{0}", problem: "a NUL byte (0x00)"),
        Refusal(annotation: "path", value: "/x y", problem: "a space"),
        Refusal(annotation: "path", value: "healthz", problem: "must start with /"),
        Refusal(
            annotation: "path", value: "/" + String(repeating: "a", count: 1024),
            problem: "is 1025 bytes long (at most 1024)"),
        Refusal(annotation: "host", value: "web\r\nX-Injected: 1", problem: "a carriage return (CR, 0x0d)"),
        Refusal(annotation: "host", value: "web\u{0}", problem: "a NUL byte (0x00)"),
        Refusal(annotation: "host", value: String(repeating: "a.", count: 127), problem: "at most 253"),
        Refusal(annotation: "host", value: "web:99999", problem: "not a number from 1 to 65535"),
        Refusal(
            annotation: "udp-payload", value: String(repeating: "p", count: 513),
            problem: "is 513 bytes long (at most 512)"),
        Refusal(
            annotation: "udp-expect", value: String(repeating: "e", count: 513),
            problem: "is 513 bytes long (at most 512)"),
    ]

    /// Each value is refused with a diagnostic naming the Service and the annotation; the Service is still
    /// programmed and still probed, with the operator's default for that value.
    @Test(arguments: refusals)
    func aValueOutsideTheRulesIsRefusedAndTheDefaultUsed(_ refusal: Refusal) throws {
        let key = "ipvs-proxy.io/health-check-\(refusal.annotation)"
        var annotations = ["ipvs-proxy.io/health-check": "on", key: refusal.value]
        if refusal.annotation == "udp-expect" { annotations["ipvs-proxy.io/health-check-udp-payload"] = "ping" }
        let output = try Self.translate(
            annotations, health: HealthCheckConfiguration(annotations: .allow, allowedPrefixes: Self.pods))
        #expect(output.virtualServers.first?.realServers.count == 2)
        #expect(output.healthTargets.count == 2)
        let bad = output.diagnostics.filter { $0.code == .badAnnotation }
        #expect(bad.count == 1)
        #expect(bad.first?.field == "metadata.annotations[\(key)]")
        #expect(bad.first?.service == "default/web")
        #expect(bad.first?.message.contains(refusal.problem) == true, "\(bad.first?.message ?? "none")")
        #expect(bad.first?.description.contains("\r") == false && bad.first?.description.contains("\n") == false)
        let probe = try #require(output.health?.tcp)
        #expect(probe.interval == .seconds(5) && probe.timeout == .seconds(2))
        if case .http(let path, let host, _) = probe.kind {
            #expect(path == "/" && host == nil, "the refused path or Host is not used")
        }
        if refusal.annotation == "udp-expect" {
            #expect(output.health?.udp?.kind == .udp(payload: Array("ping".utf8), expect: nil))
        }
        if refusal.annotation == "udp-payload" { #expect(output.health?.udp == nil) }
    }

    @Test func valuesAtTheBoundsAreTaken() throws {
        let output = try Self.translate(
            [
                "ipvs-proxy.io/health-check": "on", "ipvs-proxy.io/health-check-interval": "1s",
                "ipvs-proxy.io/health-check-timeout": "1s",
                "ipvs-proxy.io/health-check-path": "/" + String(repeating: "a", count: 1023),
                "ipvs-proxy.io/health-check-host": "web.default.svc:8080",
                "ipvs-proxy.io/health-check-udp-payload": String(repeating: "p", count: 512),
            ],
            health: HealthCheckConfiguration(annotations: .allow, allowedPrefixes: Self.pods))
        #expect(output.diagnostics.isEmpty, "\(output.diagnostics)")
        #expect(output.health?.tcp?.interval == .seconds(1))
        #expect(output.health?.udp?.kind == .udp(payload: Array(String(repeating: "p", count: 512).utf8), expect: nil))
    }
}
