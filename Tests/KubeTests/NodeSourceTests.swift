import Foundation
import Logging
import TestSupport
import Testing

@testable import Kube

/// This node's Node (issue 13 item 14, issue 12 nodeEligible): read from the API server with a field selector on its
/// name, or from the manifests directory; reduced to its zone, deletion and taint keys.
@Suite struct NodeSourceTests {
    static func node(_ name: String, zone: String? = "zone-a", taints: [String] = [], deleting: Bool = false) -> String
    {
        var metadata = "{\"name\": \"\(name)\", \"resourceVersion\": \"7\""
        if let zone { metadata += ", \"labels\": {\"topology.kubernetes.io/zone\": \"\(zone)\", \"other\": \"x\"}" }
        if deleting { metadata += ", \"deletionTimestamp\": \"2026-12-02T08:00:00Z\"" }
        metadata += "}"
        let taintList = taints.map { "{\"key\": \"\($0)\", \"effect\": \"NoSchedule\"}" }.joined(separator: ", ")
        return "{\"kind\": \"Node\", \"apiVersion\": \"v1\", \"metadata\": \(metadata), "
            + "\"spec\": {\"taints\": [\(taintList)]}, \"status\": {\"conditions\": []}}"
    }

    @Test(
        arguments: [
            (node("n1"), ValidatedNode(name: "n1", zone: "zone-a")),
            (node("n1", zone: nil), ValidatedNode(name: "n1")),
            (
                node("n1", taints: ["ToBeDeletedByClusterAutoscaler", "b", "b"]),
                ValidatedNode(name: "n1", zone: "zone-a", taintKeys: ["b", "ToBeDeletedByClusterAutoscaler"])
            ),
            (node("n1", deleting: true), ValidatedNode(name: "n1", zone: "zone-a", beingDeleted: true)),
        ])
    func aNodeIsReadAsTheProxyUsesIt(_ json: String, _ expected: ValidatedNode) throws {
        let node = try JSONDecoder().decode(ClusterNode.self, from: Data(json.utf8))
        #expect(try NodeValidator.validate(node) == expected)
        #expect(KubeObject.node(expected).id.description == "nodes/n1")
    }

    /// `status.addresses` → the node's IPs as kube-proxy's GetNodeHostIPs gives them: InternalIPs before
    /// ExternalIPs, the first, then the first of the other family; other types and non-IPs are skipped.
    @Test(arguments: [
        ([], []),
        ([("Hostname", "n1"), ("InternalIP", "192.168.1.5"), ("InternalIP", "192.168.1.6")], ["192.168.1.5"]),
        ([("ExternalIP", "203.0.113.7"), ("InternalIP", "fd00::5")], ["fd00::5", "203.0.113.7"]),
        ([("InternalIP", "192.168.1.5"), ("ExternalIP", "2001:db8::7")], ["192.168.1.5", "2001:db8::7"]),
        ([("InternalIP", "not-an-ip"), ("InternalDNS", "10.0.0.1"), ("ExternalIP", "203.0.113.7")], ["203.0.113.7"]),
        ([("InternalIP", "192.168.1.5"), ("InternalIP", "192.168.1.6"), ("InternalIP", "fd00::5")], ["192.168.1.5", "fd00::5"]),
    ] as [([(String, String)], [String])])
    func aNodesStatusAddressesGiveItsHostIPs(_ addresses: [(String, String)], _ expected: [String]) throws {
        let node = ClusterNode(
            metadata: ObjectMeta(name: "n1"),
            status: ClusterNode.Status(addresses: addresses.map { ClusterNode.Address(type: $0.0, address: $0.1) }))
        #expect(try NodeValidator.validate(node).hostIPs.map(\.description) == expected)
    }

    @Test func aNodeWithoutANameIsRejectedByField() throws {
        let node = ClusterNode(metadata: ObjectMeta())
        #expect(throws: ValidationError.self) { try NodeValidator.validate(node) }
        do {
            _ = try NodeValidator.validate(node)
        } catch {
            #expect(error.message == "nodes/<unnamed>: metadata.name: is required")
        }
    }

    /// Only this node is listed and watched (`fieldSelector=metadata.name=NAME`); a status-only update (a heartbeat)
    /// is no change; a taint is; the Node does not hold back `synced`.
    @Test func theAPIServerSourceWatchesItsOwnNodeBySelector() async throws {
        let heartbeat = Self.node("node-a").replacingOccurrences(of: "\"7\"", with: "\"8\"")
            .replacingOccurrences(of: "\"conditions\": []", with: "\"conditions\": [{\"type\": \"Ready\"}]")
        let tainted = Self.node("node-a", taints: ["ToBeDeletedByClusterAutoscaler"])
            .replacingOccurrences(of: "\"7\"", with: "\"9\"")
        let server = try await TestAPIServer { request in
            switch (request.path, request.isWatch) {
            case ("/api/v1/nodes", false):
                return .json(
                    status: 200,
                    body: "{\"kind\": \"NodeList\", \"metadata\": {\"resourceVersion\": \"7\"}, \"items\": ["
                        + Self.node("node-a") + "]}")
            case ("/api/v1/nodes", true):
                return .stream(
                    [
                        "{\"type\": \"MODIFIED\", \"object\": \(heartbeat)}\n",
                        "{\"type\": \"MODIFIED\", \"object\": \(tainted)}\n",
                    ], .hold)
            case (_, false):
                return .json(status: 200, body: "{\"metadata\": {\"resourceVersion\": \"1\"}, \"items\": []}")
            case (_, true): return .stream([], .hold)
            }
        }
        var source = APIServerSourceTests.source(server)
        source.options.nodeName = "node-a"
        let events = try await collect(source) { $0.hasSynced && $0.all(.node).count == 2 }
        await server.shutdown()
        #expect(events.all(.node) == ["upsert nodes/node-a", "upsert nodes/node-a"])
        let nodes = events.compactMap { event -> ValidatedNode? in
            guard case .change(.upsert(.node(let node))) = event else { return nil }
            return node
        }
        #expect(nodes.last?.taintKeys == ["ToBeDeletedByClusterAutoscaler"])
        let nodeRequests = server.requests.filter { $0.path == "/api/v1/nodes" }
        #expect(!nodeRequests.isEmpty)
        #expect(nodeRequests.allSatisfy { $0.query["fieldSelector"] == "metadata.name=node-a" })
        #expect(server.requests.filter { $0.path != "/api/v1/nodes" }.allSatisfy { $0.query["fieldSelector"] == nil })
    }

    @Test func withoutANodeNameNoNodeIsRead() async throws {
        let server = try await TestAPIServer { request in
            request.isWatch
                ? .stream([], .hold)
                : .json(status: 200, body: "{\"metadata\": {\"resourceVersion\": \"1\"}, \"items\": []}")
        }
        _ = try await collect(APIServerSourceTests.source(server)) { $0.hasSynced }
        await server.shutdown()
        #expect(!server.requests.contains { $0.path == "/api/v1/nodes" })
    }

    /// A Node in the manifests directory is delivered first (its zone decides endpoints) and deleted last.
    @Test func theManifestsDirectoryDeliversANodeFirst() throws {
        let directory = try TemporaryDirectory()
        var scanner = ManifestsDirectoryScanner(directory: directory.path)
        try directory.write(
            "a.yaml",
            ManifestsDirectoryTests.service("web")
                + "---\napiVersion: v1\nkind: Node\n"
                + "metadata: {name: node-a, labels: {topology.kubernetes.io/zone: z1}}\n"
                + "spec: {taints: [{key: ToBeDeletedByClusterAutoscaler, effect: NoSchedule}]}\n")
        let changes = scanner.scan().changes
        #expect(changes.map(\.summary) == ["upsert nodes/node-a", "upsert services/default/web"])
        #expect(
            changes.first?.object
                == .node(
                    ValidatedNode(name: "node-a", zone: "z1", taintKeys: ["ToBeDeletedByClusterAutoscaler"])))
        try directory.remove("a.yaml")
        #expect(scanner.scan().changes.map(\.summary) == ["delete services/default/web", "delete nodes/node-a"])
    }
}
