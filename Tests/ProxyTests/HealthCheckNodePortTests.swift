import IPVS
import Kube
import Logging
import TestSupport
import Testing
import Values

@testable import Proxy

/// What each Service's health-check node port answers (issue 13 item 13; kube-proxy's `NeedsHealthCheck`,
/// `HealthCheckNodePorts` and `LocalReadyEndpoints`): one row per rule, for both families.
@Suite struct HealthCheckNodePortTests {
    typealias Family = KubeProxySemanticsTests.Family
    typealias State = KubeProxyEndpointTests.State
    let base = KubeProxySemanticsTests()

    static let lbLocal =
        "  type: LoadBalancer\n  externalTrafficPolicy: Local\n  healthCheckNodePort: 32000\n"
        + "  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]"

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        var spec = HealthCheckNodePortTests.lbLocal
        let endpoints: [(Int, String, State)]
        /// nil: no health-check node port; otherwise the local count.
        let count: Int?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "LoadBalancer, Local, no endpoint here: 0", endpoints: [(1, "node-b", .ready)], count: 0),
        Case(
            name: "LoadBalancer, Local: this node's ready endpoints",
            endpoints: [(1, "node-a", .ready), (2, "node-a", .ready), (3, "node-b", .ready)], count: 2),
        Case(
            name: "terminating and starting endpoints here do not count (a draining node fails the check)",
            endpoints: [(1, "node-a", .terminating), (2, "node-a", .starting), (3, "node-a", .gone)], count: 0),
        Case(
            name: "externalTrafficPolicy Cluster: none",
            spec: lbLocal.replacingOccurrences(of: "Local", with: "Cluster"), endpoints: [(1, "node-a", .ready)],
            count: nil),
        Case(
            name: "NodePort with Local: none (only load balancers probe it)",
            spec: lbLocal.replacingOccurrences(of: "LoadBalancer", with: "NodePort"),
            endpoints: [(1, "node-a", .ready)], count: nil),
        Case(
            name: "no healthCheckNodePort: none",
            spec: lbLocal.replacingOccurrences(of: "  healthCheckNodePort: 32000\n", with: ""),
            endpoints: [(1, "node-a", .ready)], count: nil),
    ]

    @Test(arguments: cases, KubeProxySemanticsTests.families)
    func healthCheckNodePortAsKubeProxy(_ testCase: Case, family: Family) throws {
        let slice = try base.slice(
            family, testCase.endpoints.map { KubeProxyEndpointTests.endpoint(family, $0, $1, $2) })
        let service = try base.service("  clusterIPs: [\"\(family.vip)\"]\n" + testCase.spec)
        let output = base.translate(service, [slice])
        #expect(
            output.healthCheckNodePort
                == testCase.count.map {
                    HealthCheckNodePort(port: 32000, localEndpoints: [F.ip(family.vip).family: $0])
                })
    }

    /// An endpoint is counted once however many ports its slices give it (kube-proxy squashes by IP), and a
    /// dual-stack Service gets a count per family.
    @Test func distinctAddressesPerFamily() throws {
        let v4 = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.1"), Objects.ready("10.244.0.2")])
        let v4again = try Objects.webSlice(name: "web-v4b", endpoints: [Objects.ready("10.244.0.1")])
        let v6 = try Objects.webSlice(name: "web-v6", family: "IPv6", endpoints: [Objects.ready("fd00:244::1")])
        let service = try Objects.web(
            spec: Self.lbLocal.replacingOccurrences(
                of: "  type:", with: "  clusterIPs: [10.96.0.10, \"fd00:96::10\"]\n  type:"))
        let output = ServiceTranslator.translate(
            service, slices: [v4, v4again, v6], configuration: ProxyConfiguration(nodeName: "node-a"))
        #expect(output.healthCheckNodePort == HealthCheckNodePort(port: 32000, localEndpoints: [.ipv4: 2, .ipv6: 1]))
    }

    /// The loop reports a Service's port after the pass that programmed it, then only when it changes, and nil when
    /// the Service goes; nothing before the source's initial state is complete.
    @Test func theLoopReportsChangesAfterThePass() throws {
        var reconciler = Reconciler(kernel: FakeKernel(), link: FakeLink(), logger: Logger(label: "test"))
        try reconciler.adopt()
        var loop = ReconcileLoop(
            reconciler: reconciler, tracker: DesiredStateTracker(configuration: ProxyConfiguration(nodeName: "node-a")),
            syncPeriod: .seconds(30))
        let service = try Objects.web(spec: "  clusterIP: 10.96.0.10\n" + Self.lbLocal)
        let key = service.key
        let ports = { (outcome: ReconcileLoop.Outcome) -> [[ObjectKey: HealthCheckNodePort?]] in
            outcome.reports.compactMap { if case .healthCheckNodePorts(let changes) = $0 { changes } else { nil } }
        }
        let early = try loop.handle([.event(.change(.upsert(.service(service))))], now: F.t0)
        #expect(ports(early).isEmpty)
        let synced = try loop.handle([.event(.synced)], now: F.t0)
        #expect(ports(synced) == [[key: HealthCheckNodePort(port: 32000, localEndpoints: [.ipv4: 0])]])
        let slice = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.1")])
        let landed = try loop.handle([.event(.change(.upsert(.endpointSlice(slice))))], now: F.t0)
        #expect(ports(landed) == [[key: HealthCheckNodePort(port: 32000, localEndpoints: [.ipv4: 1])]])
        let same = try loop.handle([.event(.change(.upsert(.endpointSlice(slice)))), .tick], now: F.t0)
        #expect(ports(same).isEmpty)
        let gone = try loop.handle([.event(.change(.delete(.service(service))))], now: F.t0)
        #expect(ports(gone) == [[key: nil]])
    }
}
