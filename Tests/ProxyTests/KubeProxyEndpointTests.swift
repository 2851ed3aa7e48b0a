import IPVS
import Kube
import Testing
import Values

@testable import Proxy

/// Which real servers, scheduler flags and deletions kube-proxy's IPVS mode gives the same objects (issue 13,
/// items 3-8), for each address family.
@Suite struct KubeProxyEndpointTests {
    typealias Family = KubeProxySemanticsTests.Family
    let base = KubeProxySemanticsTests()

    enum State: Sendable {
        case ready
        /// Serving while terminating.
        case terminating
        /// Terminating and no longer serving.
        case gone
        /// Neither ready nor serving nor terminating (starting up).
        case starting

        var conditions: String {
            switch self {
            case .ready: "{ready: true, serving: true, terminating: false}"
            case .terminating: "{ready: false, serving: true, terminating: true}"
            case .gone: "{ready: false, serving: false, terminating: true}"
            case .starting: "{ready: false, serving: false, terminating: false}"
            }
        }
    }

    static func endpoint(_ family: Family, _ number: Int, _ node: String, _ state: State) -> String {
        "  - addresses: [\"\(family.pod(number))\"]\n    conditions: \(state.conditions)\n    nodeName: \(node)"
    }

    // MARK: 3. Traffic policy Local with no endpoint on this node

    enum Server: Sendable { case clusterIP, external, nodePort }

    struct PolicyCase: Sendable, CustomTestStringConvertible {
        let name: String
        let spec: String
        let endpoints: [(Int, String, State)]
        let expected: [(Server, [Int])]
        var testDescription: String { name }
    }

    static let externalLocal =
        "  type: NodePort\n  externalTrafficPolicy: Local\n  externalIPs: [\"EXT\"]\n"
        + "  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]"
    static let internalLocal = "  internalTrafficPolicy: Local\n  ports: [{name: http, port: 80, targetPort: 8080}]"

    static let policyCases: [PolicyCase] = [
        PolicyCase(
            name: "external Local, no local endpoint: the cluster's ready endpoints (PR 97081)", spec: externalLocal,
            endpoints: [(1, "node-b", .ready), (2, "node-b", .terminating)],
            expected: [(.clusterIP, [1]), (.external, [1]), (.nodePort, [1])]),
        PolicyCase(
            name: "external Local, a local terminating endpoint: it, before remote ready ones", spec: externalLocal,
            endpoints: [(1, "node-a", .terminating), (2, "node-b", .ready)],
            expected: [(.clusterIP, [2]), (.external, [1]), (.nodePort, [1])]),
        PolicyCase(
            name: "external Local, only remote terminating endpoints: the serving ones", spec: externalLocal,
            endpoints: [(1, "node-b", .terminating), (2, "node-b", .gone)],
            expected: [(.clusterIP, [1]), (.external, [1]), (.nodePort, [1])]),
        PolicyCase(
            name: "external Local, a local ready endpoint: only it", spec: externalLocal,
            endpoints: [(1, "node-a", .ready), (2, "node-b", .ready)],
            expected: [(.clusterIP, [1, 2]), (.external, [1]), (.nodePort, [1])]),
        PolicyCase(
            name: "external Local, a local endpoint starting up: the cluster's", spec: externalLocal,
            endpoints: [(1, "node-a", .starting), (2, "node-b", .ready)],
            expected: [(.clusterIP, [2]), (.external, [2]), (.nodePort, [2])]),
        PolicyCase(
            name: "internal Local, cluster IP only, no local endpoint: none", spec: internalLocal,
            endpoints: [(1, "node-b", .ready)],
            expected: [(.clusterIP, [])]),
        PolicyCase(
            name: "internal Local, reached from outside (NodePort), no local endpoint: the cluster's",
            spec: "  type: NodePort\n"
                + internalLocal.replacingOccurrences(of: "8080}", with: "8080, nodePort: 30080}"),
            endpoints: [(1, "node-b", .ready)],
            expected: [(.clusterIP, [1]), (.nodePort, [1])]),
        PolicyCase(
            name: "internal Local, reached from outside (external IP), no local endpoint: the cluster's",
            spec: "  externalIPs: [\"EXT\"]\n" + internalLocal,
            endpoints: [(1, "node-b", .ready)],
            expected: [(.clusterIP, [1]), (.external, [1])]),
    ]

    @Test(arguments: policyCases, KubeProxySemanticsTests.families)
    func localTrafficPolicyFallsBackAsKubeProxyDoes(_ testCase: PolicyCase, family: Family) throws {
        let spec =
            "  clusterIPs: [\"\(family.vip)\"]\n" + testCase.spec.replacingOccurrences(of: "EXT", with: family.external)
        let slice = try base.slice(family, testCase.endpoints.map { Self.endpoint(family, $0, $1, $2) })
        let output = base.translate(try base.service(spec), [slice])
        for (server, expected) in testCase.expected {
            let key: VirtualServerKey =
                switch server {
                case .clusterIP: family.key(family.vip, 80)
                case .external: family.key(family.external, 80)
                case .nodePort: family.key(family.node, 30080)
                }
            #expect(base.reals(output, key) == expected.map(family.real).sorted(), "\(server)")
        }
    }

    // MARK: 4-6. Endpoints read as kube-proxy reads them

    static let web = "  clusterIPs: [\"VIP\"]\n  ports: [{name: http, port: 80, targetPort: 8080}]"

    func webReals(_ family: Family, _ endpoints: [String], ports: String? = nil) throws -> [String] {
        let slice =
            try ports.map { try base.slice(family, endpoints, ports: $0) } ?? base.slice(family, endpoints)
        let output = base.translate(
            try base.service(Self.web.replacingOccurrences(of: "VIP", with: family.vip)), [slice])
        return base.reals(output, family.key(family.vip, 80))
    }

    @Test(arguments: KubeProxySemanticsTests.families)
    func anEndpointWithSeveralAddressesIsReachedOnItsFirstOnly(_ family: Family) throws {
        let endpoint = "  - addresses: [\"\(family.pod(1))\", \"\(family.pod(2))\", \"not-an-ip\"]"
        #expect(
            try webReals(family, [endpoint, Self.endpoint(family, 3, "node-b", .ready)]) == [
                family.real(1), family.real(3),
            ])
    }

    @Test(arguments: KubeProxySemanticsTests.families)
    func aSlicePortWithoutANumberLeavesTheOtherPortsInUse(_ family: Family) throws {
        let ports = "  - {name: dns, protocol: UDP}\n  - {name: http, protocol: TCP, port: 8080}"
        #expect(try webReals(family, [Self.endpoint(family, 1, "node-a", .ready)], ports: ports) == [family.real(1)])
    }

    @Test(arguments: KubeProxySemanticsTests.families)
    func aTerminatingEndpointWithoutServingIsServing(_ family: Family) throws {
        let unset = "  - addresses: [\"\(family.pod(1))\"]\n    conditions: {ready: false, terminating: true}"
        #expect(try webReals(family, [unset, Self.endpoint(family, 2, "node-b", .gone)]) == [family.real(1)])
    }

    // MARK: 7. mh hashes the source port (mh-port), as kube-proxy sets it

    @Test(
        arguments: [
            ("mh", "", ServiceFlags.mhPort),
            ("rr", "{ipvs-proxy.io/scheduler: mh}", .mhPort),
            ("rr", "{kube-router.io/service.scheduler: mh}", .mhPort),
            ("mh", "{ipvs-proxy.io/scheduler: rr}", []),
            ("mh", "{ipvs-proxy.io/scheduler-flags: mh-fallback}", .mhFallback),
            ("mh", "{ipvs-proxy.io/scheduler-flags: \"mh-fallback,mh-port\"}", [.mhFallback, .mhPort]),
            ("mh", "{ipvs-proxy.io/scheduler-flags: \"\"}", []),
            ("sh", "", []),
            ("rr", "", []),
        ] as [(Scheduler, String, ServiceFlags)])
    func mhGetsTheMhPortFlagUnlessTheServiceSaysOtherwise(
        scheduler: Scheduler, annotations: String, flags: ServiceFlags
    ) throws {
        var config = base.config
        config.defaultScheduler = scheduler
        let spec = "  clusterIPs: [10.96.0.10, \"fd00:96::10\"]\n  ports: [{name: http, port: 80}]"
        let metadata = annotations.isEmpty ? "" : "  annotations: \(annotations)"
        let output = base.translate(try Objects.web(spec: spec, metadata: metadata), config: config)
        #expect(output.virtualServers.count == 2)
        #expect(output.virtualServers.allSatisfy { $0.server.flags == flags })
        #expect(output.diagnostics.isEmpty)
    }

    // MARK: 8. UDP and SCTP real servers are deleted at once; TCP ones drain

    @Test(arguments: [IPVSProtocol.tcp, .udp, .sctp], KubeProxySemanticsTests.families)
    func onlyTCPRealServersDrain(proto: IPVSProtocol, family: Family) {
        var termination = GracefulTermination(period: .seconds(30))
        let ref = RealServerRef(
            family.key(family.vip, 80, proto), RealServerEndpoint(address: F.ip(family.pod(1)), port: 8080))
        let current = KnownRealServer(
            server: RealServer(address: F.ip(family.pod(1)), port: 8080), activeConnections: 3, inactiveConnections: 1)
        let decision = termination.decide(ref, current: current, now: F.t0)
        #expect(decision == (proto == .tcp ? .drain : .delete))
        #expect(termination.pendingCount == (proto == .tcp ? 1 : 0))
    }
}
