import Foundation
import Testing

/// Ownership against the real kernel (issue 12, item 4): another program's virtual servers (made with ipvsadm, as
/// keepalived would) survive `run`, a full resync and `--cleanup`; a virtual server two Services share outlives
/// either; NodePorts follow an address added to and removed from a node interface.
@Suite(.serialized, Lab.only) struct OwnershipLabTests {
    /// A node interface holding `address` (a dummy link `name`, up); created if missing.
    static func nodeInterface(_ name: String, _ address: String?) throws {
        if try LabShell.run("ip", ["link", "show", name]).status != 0 {
            try LabShell.run("ip", ["link", "add", name, "type", "dummy"])
            try LabShell.run("ip", ["link", "set", name, "up"])
        }
        if let address { try LabShell.run("ip", ["addr", "replace", "\(address)/32", "dev", name]) }
    }

    /// `ipvsadm -Sn`'s lines for one address: what must not change.
    static func lines(_ address: String) throws -> [String] {
        try LabShell.run("ipvsadm", ["-Sn"]).stdout.split(separator: "\n").map(String.init)
            .filter { $0.contains(address) }
    }

    /// The arguments of a proxy that serves NodePorts only on the tests' addresses.
    static func arguments(_ directory: URL, _ extra: [String] = []) -> [String] {
        ProxyLab.arguments(
            directory,
            ["--nodeport-addresses", "192.0.2.0/24", "--healthz-bind-address", "", "--metrics-bind-address", ""]
                + extra)
    }

    static func service(
        _ name: String, vip: String, type: String = "ClusterIP", nodePort: Int? = nil, externalIPs: [String] = [],
        port: Int = 80, endpoint: String, created: String = "2026-01-01T00:00:00Z"
    ) -> String {
        let nodePortField = nodePort.map { ", nodePort: \($0)" } ?? ""
        return """
            apiVersion: v1
            kind: Service
            metadata: {name: \(name), namespace: lab, creationTimestamp: "\(created)"}
            spec:
              type: \(type)
              clusterIP: \(vip)
              externalIPs: [\(externalIPs.joined(separator: ", "))]
              ports: [{name: http, protocol: TCP, port: \(port)\(nodePortField)}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: \(name)-1, namespace: lab, labels: {kubernetes.io/service-name: \(name)}}
            addressType: IPv4
            ports: [{name: http, protocol: TCP, port: 80}]
            endpoints: [{addresses: ["\(endpoint)"]}]
            """
    }

    @Test func anotherProgramsVirtualServersSurviveRunAResyncAndCleanup() async throws {
        try LabShell.prepareNetwork()
        ProxyLab.cleanup()
        try Self.nodeInterface("ownlab0", "192.0.2.50")
        defer {
            _ = try? LabShell.run("ipvsadm", ["-D", "-t", "192.0.2.50:30080"])
            _ = try? LabShell.run("ipvsadm", ["-D", "-t", "192.0.2.50:8080"])
            _ = try? LabShell.run("ip", ["link", "del", "ownlab0"])
            ProxyLab.cleanup()
        }
        // keepalived's: a NodePort-range port on a node address, and an ordinary port a Service's external IP wants.
        try LabShell.run("ipvsadm", ["-A", "-t", "192.0.2.50:30080", "-s", "wrr"])
        try LabShell.run("ipvsadm", ["-a", "-t", "192.0.2.50:30080", "-r", "10.244.0.99:80", "-m", "-w", "3"])
        try LabShell.run("ipvsadm", ["-A", "-t", "192.0.2.50:8080", "-s", "sh"])
        try LabShell.run("ipvsadm", ["-a", "-t", "192.0.2.50:8080", "-r", "10.244.0.98:80", "-m"])
        let before = try Self.lines("192.0.2.50")
        #expect(before.count == 4, "\(before)")

        let directory = try ProxyLab.manifestsDirectory()
        try ProxyLab.write(
            Self.service("np", vip: "10.96.8.10", type: "NodePort", nodePort: 30080, endpoint: "10.244.0.10"),
            to: directory, as: "np.yaml")
        try ProxyLab.write(
            Self.service("ext", vip: "10.96.8.11", externalIPs: ["192.0.2.50"], port: 8080, endpoint: "10.244.0.11"),
            to: directory, as: "ext.yaml")
        let proxy = try ProxyProcess(arguments: Self.arguments(directory, ["--sync-period", "2s"]))
        defer { _ = proxy.stop() }
        #expect(
            try await ProxyLab.eventually { try ProxyLab.peer("10.96.8.10") == ["10.244.0.10=1"] },
            "\(proxy.output)\n\(ProxyLab.table())")
        #expect(
            try await ProxyLab.eventually {
                proxy.output.components(separatedBy: "held by another program").count - 1 >= 2
            }, "both Services are told: \(proxy.output)")
        // A full resync repairs what the proxy owns (a deleted virtual server comes back) ...
        try LabShell.run("ipvsadm", ["-D", "-t", "10.96.8.10:80"])
        #expect(
            try await ProxyLab.eventually { try ProxyLab.peer("10.96.8.10") == ["10.244.0.10=1"] },
            "\(proxy.output)\n\(ProxyLab.table())")
        // ... and leaves another program's as they were.
        #expect(try Self.lines("192.0.2.50") == before, "\(ProxyLab.table())")
        #expect(proxy.stop() == 0)

        let cleanup = try LabShell.run(try PodsLabTests.ipvsProxyBinary(), ["run", "--cleanup", "--interface", ProxyLab.interface])
        #expect(cleanup.status == 0, "\(cleanup.stderr)")
        #expect(try ProxyLab.peer("10.96.8.10") == nil, "--cleanup removes what the proxy made")
        #expect(try Self.lines("192.0.2.50") == before, "--cleanup leaves another program's: \(ProxyLab.table())")
    }

    @Test func deletingOneOfTwoServicesSharingAnExternalIPKeepsTheOthersVirtualServer() async throws {
        try LabShell.prepareNetwork()
        ProxyLab.cleanup()
        defer { ProxyLab.cleanup() }
        let directory = try ProxyLab.manifestsDirectory()
        try ProxyLab.write(
            Self.service("older", vip: "10.96.8.20", externalIPs: ["203.0.113.60"], endpoint: "10.244.0.20"),
            to: directory, as: "older.yaml")
        try ProxyLab.write(
            Self.service(
                "newer", vip: "10.96.8.21", externalIPs: ["203.0.113.60"], endpoint: "10.244.0.21",
                created: "2026-06-01T00:00:00Z"),
            to: directory, as: "newer.yaml")
        let proxy = try ProxyProcess(arguments: Self.arguments(directory))
        defer { _ = proxy.stop() }
        #expect(
            try await ProxyLab.eventually { try ProxyLab.peer("203.0.113.60") == ["10.244.0.20=1"] },
            "the older Service holds it: \(proxy.output)\n\(ProxyLab.table())")
        #expect(proxy.output.contains("also wanted by services/lab/older"), "\(proxy.output)")

        try FileManager.default.removeItem(at: directory.appendingPathComponent("older.yaml"))
        #expect(
            try await ProxyLab.eventually { try ProxyLab.peer("203.0.113.60") == ["10.244.0.21=1"] },
            "the newer Service's real servers take over: \(proxy.output)\n\(ProxyLab.table())")
        #expect(try ProxyLab.peer("10.96.8.20") == nil)

        try ProxyLab.write(
            Self.service("older", vip: "10.96.8.20", externalIPs: ["203.0.113.60"], endpoint: "10.244.0.20"),
            to: directory, as: "older.yaml")
        #expect(try await ProxyLab.eventually { try ProxyLab.peer("203.0.113.60") == ["10.244.0.20=1"] })
        try FileManager.default.removeItem(at: directory.appendingPathComponent("newer.yaml"))
        #expect(try await ProxyLab.eventually { try ProxyLab.peer("10.96.8.21") == nil })
        #expect(try ProxyLab.peer("203.0.113.60") == ["10.244.0.20=1"], "deleting the other keeps it too")
        #expect(proxy.stop() == 0)
    }

    @Test func anAddressAddedToANodeInterfaceGetsItsNodePortsAndLosesThemWhenRemoved() async throws {
        try LabShell.prepareNetwork()
        ProxyLab.cleanup()
        try Self.nodeInterface("ownlab1", nil)
        defer {
            _ = try? LabShell.run("ip", ["link", "del", "ownlab1"])
            ProxyLab.cleanup()
        }
        let directory = try ProxyLab.manifestsDirectory()
        try ProxyLab.write(
            Self.service("np", vip: "10.96.8.30", type: "NodePort", nodePort: 30090, endpoint: "10.244.0.30"),
            to: directory, as: "np.yaml")
        let proxy = try ProxyProcess(arguments: Self.arguments(directory))
        defer { _ = proxy.stop() }
        #expect(
            try await ProxyLab.eventually { try ProxyLab.peer("10.96.8.30") == ["10.244.0.30=1"] },
            "\(proxy.output)\n\(ProxyLab.table())")
        #expect(try ProxyLab.peer("192.0.2.70", port: 30090) == nil)

        try LabShell.run("ip", ["addr", "add", "192.0.2.70/32", "dev", "ownlab1"])
        let added = ContinuousClock.now
        #expect(
            try await ProxyLab.eventually(10) { try ProxyLab.peer("192.0.2.70", port: 30090) == ["10.244.0.30=1"] },
            "\(proxy.output)\n\(ProxyLab.table())")
        print("OwnershipLabTests: the NodePort appeared \(ContinuousClock.now - added) after the address")

        try LabShell.run("ip", ["addr", "del", "192.0.2.70/32", "dev", "ownlab1"])
        let removed = ContinuousClock.now
        #expect(
            try await ProxyLab.eventually(10) { try ProxyLab.peer("192.0.2.70", port: 30090) == nil },
            "\(proxy.output)\n\(ProxyLab.table())")
        print("OwnershipLabTests: the NodePort went \(ContinuousClock.now - removed) after the address")
        #expect(proxy.stop() == 0)
    }
}
