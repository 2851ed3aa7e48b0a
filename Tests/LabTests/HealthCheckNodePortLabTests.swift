import Foundation
import TestSupport
import Testing

/// kube-proxy's health-check node port and /healthz's nodeEligible with real traffic (issue 13 item 13, issue 12
/// Deliver 2): a load balancer's view (curl from a network namespace of its own, through the node's address) of an
/// `externalTrafficPolicy: Local` LoadBalancer Service's `healthCheckNodePort` flips 503 → 200 as an endpoint lands
/// on this node, and /healthz flips to 503 when this node's Node gets the `ToBeDeletedByClusterAutoscaler` taint,
/// both by editing the manifests directory while `run` goes on.
@Suite(.serialized, Lab.only) struct HealthCheckNodePortLabTests {
    static let balancer = "hc-lb"
    static let nodeAddress = "192.168.79.1"
    static let healthCheckPort = 32190
    static let healthzPort = 19357

    static func service(endpointNode: String) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: lab}
        spec:
          type: LoadBalancer
          clusterIP: 10.96.19.10
          externalTrafficPolicy: Local
          healthCheckNodePort: \(healthCheckPort)
          ports: [{name: http, protocol: TCP, port: 80, nodePort: 30190}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: web-1, namespace: lab, labels: {kubernetes.io/service-name: web}}
        addressType: IPv4
        ports: [{name: http, protocol: TCP, port: 80}]
        endpoints:
        - addresses: ["10.244.0.10"]
          conditions: {ready: true}
          nodeName: \(endpointNode)
        """
    }

    static func node(tainted: Bool) -> String {
        """
        apiVersion: v1
        kind: Node
        metadata: {name: lab, labels: {topology.kubernetes.io/zone: lab-zone}}
        spec:
          taints: [\(tainted ? "{key: ToBeDeletedByClusterAutoscaler, value: \"1700000000\", effect: NoSchedule}" : "")]
        """
    }

    /// A GET from the balancer's namespace: status, headers and body.
    static func probe() throws -> (status: String, headers: String, body: String) {
        let output = try LabShell.run(
            "ip",
            [
                "netns", "exec", balancer, "curl", "-s", "-i", "-m", "5",
                "http://\(nodeAddress):\(healthCheckPort)/healthz",
            ])
        let parts = output.stdout.components(separatedBy: "\r\n\r\n")
        let head = parts.first ?? ""
        let status = head.split(separator: " ").dropFirst().first.map(String.init) ?? "none"
        return (status, head, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    static func setUpBalancer() throws {
        tearDownBalancer()
        for arguments in [
            ["netns", "add", balancer],
            ["link", "add", "hc-lb-h", "type", "veth", "peer", "name", "hc-lb-c", "netns", balancer],
            ["addr", "add", "\(nodeAddress)/24", "dev", "hc-lb-h"],
            ["link", "set", "hc-lb-h", "up"],
            ["-n", balancer, "addr", "add", "192.168.79.2/24", "dev", "hc-lb-c"],
            ["-n", balancer, "link", "set", "hc-lb-c", "up"],
            ["-n", balancer, "link", "set", "lo", "up"],
        ] {
            let output = try LabShell.run("ip", arguments)
            #expect(output.status == 0, "ip \(arguments): \(output.stderr)")
        }
    }

    static func tearDownBalancer() {
        _ = try? LabShell.run("ip", ["netns", "del", balancer])
        _ = try? LabShell.run("ip", ["link", "del", "hc-lb-h"])
    }

    @Test func theLoadBalancersViewAndHealthzFollowTheManifests() async throws {
        try LabShell.prepareNetwork()
        try Self.setUpBalancer()
        defer {
            Self.tearDownBalancer()
            ProxyLab.cleanup()
        }
        let directory = try TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }
        let manifests = URL(fileURLWithPath: directory.path)
        try ProxyLab.write(Self.service(endpointNode: "other-node"), to: manifests, as: "web.yaml")
        try ProxyLab.write(Self.node(tainted: false), to: manifests, as: "node.yaml")
        let proxy = try ProxyProcess(
            arguments: ProxyLab.arguments(
                manifests, ["--healthz-bind-address", "127.0.0.1:\(Self.healthzPort)", "--metrics-bind-address", ""]))
        defer { _ = proxy.stop() }

        // No endpoint here: the load balancer sees 503, weight 0.
        var last = (status: "", headers: "", body: "")
        let down = try await ProxyLab.eventually {
            last = try Self.probe()
            return last.status == "503"
        }
        #expect(down, "\(last)\n\(proxy.output)")
        #expect(last.body.contains("\"localEndpoints\": 0,"), "\(last)")
        #expect(last.headers.lowercased().contains("x-load-balancing-endpoint-weight: 0"), "\(last)")
        #expect(last.headers.lowercased().contains("x-content-type-options: nosniff"), "\(last)")
        #expect(
            last.body
                == "{\n\t\"service\": {\n\t\t\"namespace\": \"lab\",\n\t\t\"name\": \"web\"\n\t},\n"
                + "\t\"localEndpoints\": 0,\n\t\"serviceProxyHealthy\": true\n}", "\(last)")

        // The endpoint lands on this node: 200, weight 1.
        try ProxyLab.write(Self.service(endpointNode: "lab"), to: manifests, as: "web.yaml")
        let up = try await ProxyLab.eventually(60) {
            last = try Self.probe()
            return last.status == "200"
        }
        #expect(up, "\(last)\n\(proxy.output)")
        #expect(last.body.contains("\"localEndpoints\": 1,"), "\(last)")
        #expect(last.headers.lowercased().contains("x-load-balancing-endpoint-weight: 1"), "\(last)")

        // /healthz: eligible, then the Cluster Autoscaler's taint makes it 503; /livez stays 200.
        let healthz = "http://127.0.0.1:\(Self.healthzPort)"
        var answer = (body: "", status: "")
        let eligible = try await ProxyLab.eventually(60) {
            answer = try DeployLabTests.fetch(healthz + "/healthz")
            return answer.status == "200" && answer.body.contains("\"nodeEligible\": true")
        }
        #expect(eligible, "\(answer)\n\(proxy.output)")
        try ProxyLab.write(Self.node(tainted: true), to: manifests, as: "node.yaml")
        let tainted = try await ProxyLab.eventually(60) {
            answer = try DeployLabTests.fetch(healthz + "/healthz")
            return answer.status == "503"
        }
        #expect(tainted, "\(answer)\n\(proxy.output)")
        #expect(answer.body.contains("\"nodeEligible\": false"), "\(answer)")
        #expect(try DeployLabTests.fetch(healthz + "/livez").status == "200")
        // The Service's own check does not depend on eligibility (kube-proxy's uses the proxy's health alone).
        #expect(try Self.probe().status == "200")
        try ProxyLab.write(Self.node(tainted: false), to: manifests, as: "node.yaml")
        let again = try await ProxyLab.eventually(60) { try DeployLabTests.fetch(healthz + "/healthz").status == "200" }
        #expect(again, "\(proxy.output)")

        // The Service gone: the port closes.
        try FileManager.default.removeItem(at: manifests.appendingPathComponent("web.yaml"))
        let closed = try await ProxyLab.eventually(60) { try Self.probe().status == "none" }
        #expect(closed, "\(proxy.output)")
    }
}
