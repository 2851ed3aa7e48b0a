import Foundation
import TestSupport
import Testing
import Values

/// On a node whose kernel holds nothing of the proxy's, what the API server's list (or a manifests directory's first
/// scan) has delivered so far is in the kernel before the list ends (additions only); a restart, whose kernel holds
/// the proxy's state, waits for the whole list and writes nothing. Against the real kernel, with the project's
/// loopback API server in the test process holding back the second page of Services (or a broken file holding back
/// the directory's start).
@Suite(.serialized, Lab.only) struct ProgramAheadLabTests {
    static let (early, late) = ("10.96.9.20", "10.96.9.21")

    static func service(_ name: String, _ vip: String) -> String {
        """
        {"metadata": {"name": "\(name)", "namespace": "lab", "uid": "u-\(name)", "resourceVersion": "9"},
         "spec": {"type": "ClusterIP", "clusterIP": "\(vip)", "clusterIPs": ["\(vip)"], "sessionAffinity": "None",
                  "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 80}]}}
        """
    }

    static func slice(_ name: String, _ addresses: [String]) -> String {
        let endpoints = addresses.map { #"{"addresses": ["\#($0)"], "conditions": {"ready": true}}"# }
        return """
            {"metadata": {"name": "\(name)-1", "namespace": "lab", "uid": "u-\(name)-1", "resourceVersion": "8",
                          "labels": {"kubernetes.io/service-name": "\(name)"}},
             "addressType": "IPv4", "ports": [{"name": "http", "protocol": "TCP", "port": 80}],
             "endpoints": [\(endpoints.joined(separator: ", "))]}
            """
    }

    /// Services in two pages, the second refused (500) until `open`; both slices in one page; quiet watches.
    final class Gate: Sendable {
        let open = Locked(false)
    }

    static func handler(_ gate: Gate) -> TestAPIServer.Handler {
        { request in
            if request.isWatch { return .stream([], .hold) }
            switch request.path {
            case "/api/v1/services":
                let second = request.query["continue"] == "page-2"
                if second && !gate.open.withLock({ $0 }) {
                    return .json(status: 500, body: #"{"kind": "Status", "code": 500, "reason": "InternalError"}"#)
                }
                let (items, more) =
                    second ? (service("late", late), "") : (service("early", early), #", "continue": "page-2""#)
                return .json(
                    status: 200,
                    body: """
                        {"kind": "ServiceList", "apiVersion": "v1",
                         "metadata": {"resourceVersion": "10"\(more)}, "items": [\(items)]}
                        """)
            case "/apis/discovery.k8s.io/v1/endpointslices":
                let items = [
                    slice("early", ["10.244.0.10", "10.244.0.11"]), slice("late", ["10.244.0.12", "10.244.0.13"]),
                ]
                return .json(
                    status: 200,
                    body: """
                        {"kind": "EndpointSliceList", "apiVersion": "discovery.k8s.io/v1",
                         "metadata": {"resourceVersion": "10"}, "items": [\(items.joined(separator: ", "))]}
                        """)
            default:
                return .json(status: 404, body: #"{"kind": "Status", "code": 404}"#)
            }
        }
    }

    @Test func aNewNodeIsProgrammedAsTheListArrivesAndARestartWaitsForTheWholeList() async throws {
        try LabShell.prepareNetwork()
        ProxyLab.cleanup()
        defer { ProxyLab.cleanup() }
        let gate = Gate()
        let server = try await TestAPIServer(handler: Self.handler(gate))
        let directory = try TemporaryDirectory()
        let kubeconfig = try ProxyLab.kubeconfig(for: server, in: directory)
        let arguments = [
            "run", "--kubeconfig", kubeconfig, "--interface", ProxyLab.interface,
            "--hostname-override", "lab", "--healthz-bind-address", "", "--metrics-bind-address", "",
            "--ownership-file", directory.file("owned.json"), "--api-cache", directory.file("api-cache"),
        ]
        let first = try ProxyProcess(arguments: arguments)
        let ahead = try await ProxyLab.eventually(120) { try ProxyLab.peer(Self.early)?.count == 2 }
        #expect(ahead, "\(first.output)\n\(ProxyLab.table())")
        // The list is not complete (its second page is refused, and retried): no full sync yet, the rest waits.
        #expect(!first.output.contains("[Proxy] full sync"), "\(first.output)")
        #expect(first.output.contains("the initial state is programmed as it is read"), "\(first.output)")
        #expect(try ProxyLab.peer(Self.late) == nil)
        #expect(try ProxyLab.peer(Self.early) == ["10.244.0.10=1", "10.244.0.11=1"])
        // The pass ahead's nftables elements follow it while the list is still held back: the VIP is in the set
        // the masquerade rules match, and the Service not yet listed is not.
        let vips = { (try? LabShell.run("nft", ["list", "set", "inet", "ipvs-proxy", "vips-v4"]).stdout) ?? "" }
        let elements = try await ProxyLab.eventually(60) { vips().contains(Self.early) }
        #expect(elements, "\(vips())\n\(first.output)")
        #expect(!vips().contains(Self.late))
        #expect(!first.output.contains("[Proxy] full sync"), "\(first.output)")
        gate.open.withLock { $0 = true }
        let synced = try await ProxyLab.eventually(120) {
            try ProxyLab.peer(Self.late)?.count == 2 && first.output.contains("[Proxy] full sync")
        }
        #expect(synced, "\(first.output)\n\(ProxyLab.table())")
        #expect(try ProxyLab.peer(Self.early) == ["10.244.0.10=1", "10.244.0.11=1"])
        #expect(first.stop() == 0, "\(first.output)")

        // A restart: the kernel holds the proxy's virtual servers, so nothing goes ahead and the full sync writes
        // nothing (the restart's writes are counted by strace in the unchanged-restart lab test).
        let second = try ProxyProcess(arguments: arguments)
        defer { _ = second.stop() }
        let restarted = try await ProxyLab.eventually(120) { second.output.contains("[Proxy] full sync") }
        #expect(restarted, "\(second.output)")
        #expect(!second.output.contains("programmed as it is read"), "\(second.output)")
        let line = second.output.split(separator: "\n").first { $0.contains("[Proxy] full sync") } ?? ""
        #expect(line.contains("operations=0") && line.contains("bind=0"), "\(line)")
        // Every object came from the first run's API objects cache, none decoded, and the kernel is as it was.
        let taken = second.output.split(separator: "\n").filter { $0.contains("API objects cache unchanged") }
        #expect(taken.count == 2, "\(second.output)")
        #expect(try ProxyLab.peer(Self.late) == ["10.244.0.12=1", "10.244.0.13=1"])
        await server.shutdown()
    }

    /// From a manifests directory too: on a new node the files that parse are programmed while a broken one holds
    /// the start back (additions only, no full sync); the fixed file completes the start.
    @Test func aNewNodeIsProgrammedFromTheFilesThatParseWhileABrokenOneHoldsTheStartBack() async throws {
        try LabShell.prepareNetwork()
        ProxyLab.cleanup()
        defer { ProxyLab.cleanup() }
        let directory = try ProxyLab.manifestsDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try ProxyLab.write(ProxyLab.webService("early", vip: Self.early, pods: [0, 1]), to: directory, as: "a.yaml")
        try ProxyLab.write("kind: Service\n  metadata: [unclosed\n", to: directory, as: "b.yaml")
        let state = try TemporaryDirectory()
        let proxy = try ProxyProcess(
            arguments: ProxyLab.arguments(
                directory,
                [
                    "--healthz-bind-address", "", "--metrics-bind-address", "", "--ownership-file",
                    state.file("owned.json"),
                ]))
        defer { _ = proxy.stop() }
        // The source logs why it waits after delivering what it read; the pass ahead may come first.
        let ahead = try await ProxyLab.eventually(120) {
            try ProxyLab.peer(Self.early)?.count == 2 && proxy.output.contains("not syncing yet")
        }
        #expect(ahead, "\(proxy.output)\n\(ProxyLab.table())")
        #expect(proxy.output.contains("the initial state is programmed as it is read"), "\(proxy.output)")
        #expect(!proxy.output.contains("[Proxy] full sync"), "\(proxy.output)")
        #expect(try ProxyLab.peer(Self.early) == ["10.244.0.10=1", "10.244.0.11=1"])
        #expect(try ProxyLab.peer(Self.late) == nil)

        try ProxyLab.write(ProxyLab.webService("late", vip: Self.late, pods: [2]), to: directory, as: "b.yaml")
        let synced = try await ProxyLab.eventually(120) {
            try ProxyLab.peer(Self.late) == ["10.244.0.12=1"] && proxy.output.contains("[Proxy] full sync")
        }
        #expect(synced, "\(proxy.output)\n\(ProxyLab.table())")
        #expect(try ProxyLab.peer(Self.early) == ["10.244.0.10=1", "10.244.0.11=1"])
        #expect(proxy.stop() == 0, "\(proxy.output)")
    }
}
