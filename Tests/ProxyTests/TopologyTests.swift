import IPVS
import Kube
import Testing
import Values

@testable import Proxy

/// EndpointSlice hints and the node's zone choose a Service port's cluster endpoints as kube-proxy's
/// `CategorizeEndpoints` does (`pkg/proxy/topology.go`, issue 13 item 14), including its fallbacks when hints are
/// incomplete: one row per rule, each for both families. This node is `node-a` in zone `zone-a`.
@Suite struct TopologyTests {
    typealias Family = KubeProxySemanticsTests.Family
    typealias State = KubeProxyEndpointTests.State
    let base = KubeProxySemanticsTests()

    /// One endpoint: its number, node, state, zone hints and node hints.
    struct Endpoint: Sendable {
        let number: Int
        let node: String
        let state: State
        let zones: [String]
        let nodes: [String]

        init(_ number: Int, _ node: String, _ state: State = .ready, zones: [String] = [], nodes: [String] = []) {
            self.number = number
            self.node = node
            self.state = state
            self.zones = zones
            self.nodes = nodes
        }

        func yaml(_ family: Family) -> String {
            var lines = KubeProxyEndpointTests.endpoint(family, number, node, state)
            if !zones.isEmpty || !nodes.isEmpty {
                let zoneList = zones.map { "{name: \($0)}" }.joined(separator: ", ")
                let nodeList = nodes.map { "{name: \($0)}" }.joined(separator: ", ")
                lines += "\n    hints: {forZones: [\(zoneList)], forNodes: [\(nodeList)]}"
            }
            return lines
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        var zone: String? = "zone-a"
        var spec = "  ports: [{name: http, port: 80, targetPort: 8080}]"
        let endpoints: [Endpoint]
        /// The endpoints of the cluster IP's virtual server.
        let clusterIP: [Int]
        /// The endpoints of the NodePort's virtual server, when the Service has one.
        var nodePort: [Int]? = nil
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "no hints: every ready endpoint",
            endpoints: [Endpoint(1, "node-a"), Endpoint(2, "node-b"), Endpoint(3, "node-c")], clusterIP: [1, 2, 3]),
        Case(
            name: "every ready endpoint hinted for a zone, some for this one: those (PreferSameZone, PreferClose)",
            endpoints: [
                Endpoint(1, "node-a", zones: ["zone-a"]), Endpoint(2, "node-b", zones: ["zone-a"]),
                Endpoint(3, "node-c", zones: ["zone-b"]),
            ], clusterIP: [1, 2]),
        Case(
            name: "an endpoint hinted for two zones serves both",
            endpoints: [Endpoint(1, "node-b", zones: ["zone-b", "zone-a"]), Endpoint(2, "node-c", zones: ["zone-c"])],
            clusterIP: [1]),
        Case(
            name: "one ready endpoint without a zone hint: hints ignored, every ready endpoint",
            endpoints: [Endpoint(1, "node-a", zones: ["zone-a"]), Endpoint(2, "node-b")], clusterIP: [1, 2]),
        Case(
            name: "every endpoint hinted, none for this zone: hints ignored",
            endpoints: [Endpoint(1, "node-b", zones: ["zone-b"]), Endpoint(2, "node-c", zones: ["zone-c"])],
            clusterIP: [1, 2]),
        Case(
            name: "this node has no zone (Node not read, or no label): zone hints ignored", zone: nil,
            endpoints: [Endpoint(1, "node-a", zones: ["zone-a"]), Endpoint(2, "node-b", zones: ["zone-b"])],
            clusterIP: [1, 2]),
        Case(
            name: "every ready endpoint hinted for a node, some for this one: those (PreferSameNode), before zones",
            endpoints: [
                Endpoint(1, "node-a", zones: ["zone-a"], nodes: ["node-a"]),
                Endpoint(2, "node-b", zones: ["zone-a"], nodes: ["node-b"]),
            ], clusterIP: [1]),
        Case(
            name: "a node hint missing: node hints ignored, zone hints used",
            endpoints: [
                Endpoint(1, "node-a", zones: ["zone-a"], nodes: ["node-a"]), Endpoint(2, "node-b", zones: ["zone-a"]),
                Endpoint(3, "node-c", zones: ["zone-b"], nodes: ["node-c"]),
            ], clusterIP: [1, 2]),
        Case(
            name: "every endpoint hinted for a node, none for this one: zone hints used",
            endpoints: [
                Endpoint(1, "node-b", zones: ["zone-a"], nodes: ["node-b"]),
                Endpoint(2, "node-c", zones: ["zone-b"], nodes: ["node-c"]),
            ], clusterIP: [1]),
        Case(
            name: "only ready endpoints' hints count: an unhinted starting endpoint does not void them",
            endpoints: [
                Endpoint(1, "node-a", zones: ["zone-a"]), Endpoint(2, "node-b", zones: ["zone-b"]),
                Endpoint(3, "node-a", .starting),
            ], clusterIP: [1]),
        Case(
            name: "no ready endpoint: the serving terminating ones, whatever their hints",
            endpoints: [
                Endpoint(1, "node-a", .terminating, zones: ["zone-a"]),
                Endpoint(2, "node-b", .terminating, zones: ["zone-b"]),
            ], clusterIP: [1, 2]),
        Case(
            name: "hinted ready endpoints only in other zones, a terminating one here: hints ignored, the ready ones",
            endpoints: [
                Endpoint(1, "node-b", zones: ["zone-b"]), Endpoint(2, "node-a", .terminating, zones: ["zone-a"]),
            ], clusterIP: [1]),
        Case(
            name: "externalTrafficPolicy Local: the NodePort keeps its local endpoints, hints or not",
            spec: "  type: NodePort\n  externalTrafficPolicy: Local\n"
                + "  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]",
            endpoints: [Endpoint(1, "node-a", zones: ["zone-b"]), Endpoint(2, "node-b", zones: ["zone-a"])],
            clusterIP: [2], nodePort: [1]),
        Case(
            name: "internalTrafficPolicy Local: this node's endpoints, hints not consulted",
            spec: "  internalTrafficPolicy: Local\n  ports: [{name: http, port: 80, targetPort: 8080}]",
            endpoints: [Endpoint(1, "node-a", zones: ["zone-b"]), Endpoint(2, "node-b", zones: ["zone-a"])],
            clusterIP: [1]),
    ]

    @Test(arguments: cases, KubeProxySemanticsTests.families)
    func hintsChooseTheClusterEndpointsAsKubeProxyDoes(_ testCase: Case, family: Family) throws {
        var config = base.config
        config.nodeZone = testCase.zone
        let slice = try base.slice(family, testCase.endpoints.map { $0.yaml(family) })
        let service = try base.service("  clusterIPs: [\"\(family.vip)\"]\n" + testCase.spec)
        let output = base.translate(service, [slice], config: config)
        #expect(base.reals(output, family.key(family.vip, 80)) == testCase.clusterIP.map(family.real).sorted())
        if let nodePort = testCase.nodePort {
            #expect(base.reals(output, family.key(family.node, 30080)) == nodePort.map(family.real).sorted())
        }
    }

    /// The Node's zone arriving, changing or going recomputes the Services whose endpoints carry zone hints, and
    /// only those; another node's Node changes nothing.
    @Test(arguments: KubeProxySemanticsTests.families)
    func theNodesZoneRecomputesOnlyHintedServices(_ family: Family) throws {
        var tracker = DesiredStateTracker(configuration: base.config)
        let hinted = try base.slice(
            family,
            [
                Endpoint(1, "node-a", zones: ["zone-a"]).yaml(family),
                Endpoint(2, "node-b", zones: ["zone-b"]).yaml(family),
            ])
        tracker.apply(
            .upsert(.service(try base.service("  clusterIPs: [\"\(family.vip)\"]\n  ports: [{name: http, port: 80}]"))))
        tracker.apply(.upsert(.endpointSlice(hinted)))
        let key = family.key(family.vip, 80)
        let reals = {
            tracker.desired.virtualServers[key]?.realServers.values.map { $0.address.withPort($0.port) }.sorted()
        }
        #expect(reals() == [family.real(1), family.real(2)])

        let other = tracker.apply(.upsert(.node(ValidatedNode(name: "node-b", zone: "zone-b"))))
        #expect(other.isEmpty)
        let arrived = tracker.apply(.upsert(.node(ValidatedNode(name: "node-a", zone: "zone-a"))))
        #expect(arrived.virtualServers == [key])
        #expect(reals() == [family.real(1)])
        let moved = tracker.apply(.upsert(.node(ValidatedNode(name: "node-a", zone: "zone-b"))))
        #expect(moved.virtualServers == [key])
        #expect(reals() == [family.real(2)])
        let sameZone = tracker.apply(.upsert(.node(ValidatedNode(name: "node-a", zone: "zone-b", taintKeys: ["x"]))))
        #expect(sameZone.isEmpty)
        tracker.apply(.delete(.node(ValidatedNode(name: "node-a", zone: "zone-b"))))
        #expect(reals() == [family.real(1), family.real(2)])
    }
}
