import Health
import IPVS
import Testing

@testable import Proxy

@Suite("Health applied to the desired state")
struct HealthFilterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var down: [String]
        var action: HealthCheckConfiguration.Action = .remove
        var allDown: HealthCheckConfiguration.AllDownPolicy = .keep
        /// Expected real servers as "address=weight".
        var expected: [String]
        var summary: HealthSummary
        var testDescription: String { name }
    }

    static let reals = ["10.244.0.10", "10.244.0.11", "10.244.0.12"]
    static let probe = HealthProbe(kind: .tcp)

    static let cases: [Case] = [
        Case(name: "all healthy: unchanged", down: [], expected: ["10.244.0.10=1", "10.244.0.11=1", "10.244.0.12=1"],
             summary: HealthSummary(healthy: 3)),
        Case(name: "remove takes the unhealthy one out", down: ["10.244.0.11"],
             expected: ["10.244.0.10=1", "10.244.0.12=1"], summary: HealthSummary(healthy: 2, unhealthy: 1)),
        Case(name: "inhibit keeps it with weight 0", down: ["10.244.0.11"], action: .inhibit,
             expected: ["10.244.0.10=1", "10.244.0.11=0", "10.244.0.12=1"], summary: HealthSummary(healthy: 2, unhealthy: 1)),
        Case(name: "two down, one left", down: ["10.244.0.10", "10.244.0.12"], expected: ["10.244.0.11=1"],
             summary: HealthSummary(healthy: 1, unhealthy: 2)),
        Case(name: "all down, keep: fail open", down: reals, expected: ["10.244.0.10=1", "10.244.0.11=1", "10.244.0.12=1"],
             summary: HealthSummary(healthy: 0, unhealthy: 3, failedOpen: 1)),
        Case(name: "all down, remove: empty", down: reals, allDown: .remove, expected: [],
             summary: HealthSummary(healthy: 0, unhealthy: 3)),
        Case(name: "all down, remove, inhibit: all weight 0", down: reals, action: .inhibit, allDown: .remove,
             expected: ["10.244.0.10=0", "10.244.0.11=0", "10.244.0.12=0"], summary: HealthSummary(healthy: 0, unhealthy: 3)),
        Case(name: "a down endpoint of another probe does not count", down: ["10.244.0.99"],
             expected: ["10.244.0.10=1", "10.244.0.11=1", "10.244.0.12=1"], summary: HealthSummary(healthy: 3)),
    ]

    static func output(action: HealthCheckConfiguration.Action, allDown: HealthCheckConfiguration.AllDownPolicy)
        -> ServiceTranslator.Output
    {
        var output = ServiceTranslator.Output()
        output.virtualServers = [
            DesiredVirtualServer(server: F.vs(F.web), realServers: reals.map { F.rs($0, 8080) })
        ]
        output.health = ServiceHealthCheck(tcp: probe, udp: nil, action: action, allDown: allDown)
        output.probes = [F.web: probe]
        output.healthTargets = Set(reals.map { HealthTarget(address: F.ip($0), port: 8080, probe: probe) })
        return output
    }

    @Test(arguments: cases)
    func filter(_ test: Case) {
        let down = Set(test.down.map { HealthTarget(address: F.ip($0), port: 8080, probe: Self.probe) })
        let (result, summary) = HealthFilter.apply(Self.output(action: test.action, allDown: test.allDown), down: down)
        let reals = result.virtualServers.first?.realServers.values.map { "\($0.address)=\($0.weight)" }.sorted()
        #expect(reals == test.expected)
        #expect(summary == test.summary)
    }

    @Test func aServiceWithoutHealthChecksIsUntouched() {
        var output = Self.output(action: .remove, allDown: .keep)
        output.health = nil
        let down = Set(Self.reals.map { HealthTarget(address: F.ip($0), port: 8080, probe: Self.probe) })
        let (result, summary) = HealthFilter.apply(output, down: down)
        #expect(result == output)
        #expect(summary == HealthSummary())
    }
}
