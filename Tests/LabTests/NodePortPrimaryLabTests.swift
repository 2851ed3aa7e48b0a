import Foundation
import Testing

/// `--nodeport-addresses primary` in a real kernel (issue 13: 16): with `--bind-address` the NodePorts of the
/// IPv4 family are on that address only; without it and with no Node object read they are on every node address,
/// as kube-proxy falls back; with the Node, on its InternalIP, following the Node as its address changes.
@Suite(.serialized, Lab.only) struct NodePortPrimaryLabTests {
    static let primary = "192.0.2.80"
    static let other = "192.0.2.81"

    static func directory() throws -> URL {
        let directory = try ProxyLab.manifestsDirectory()
        try ProxyLab.write(
            OwnershipLabTests.service(
                "np", vip: "10.96.16.10", type: "NodePort", nodePort: 30095, endpoint: "10.244.0.16"),
            to: directory, as: "np.yaml")
        return directory
    }

    /// This node's Node (`lab`, as `--hostname-override` names it) with one InternalIP.
    static func node(internalIP: String) -> String {
        """
        apiVersion: v1
        kind: Node
        metadata: {name: lab}
        status:
          addresses:
          - {type: Hostname, address: lab}
          - {type: InternalIP, address: "\(internalIP)"}
        """
    }

    static func runOnce(_ extra: [String]) throws -> LabShell.Output {
        try LabShell.run(
            try PodsLabTests.ipvsProxyBinary(),
            ProxyLab.arguments(
                try directory(), ["--once", "--healthz-bind-address", "", "--metrics-bind-address", ""] + extra))
    }

    @Test func primaryWithABindAddressServesNodePortsOnItAloneAndWithoutOneOnEveryAddress() throws {
        try LabShell.prepareNetwork()
        ProxyLab.cleanup()
        try OwnershipLabTests.nodeInterface("primlab0", Self.primary)
        try OwnershipLabTests.nodeInterface("primlab0", Self.other)
        defer {
            _ = try? LabShell.run("ip", ["link", "del", "primlab0"])
            ProxyLab.cleanup()
        }

        let bound = try Self.runOnce(["--nodeport-addresses", "primary", "--bind-address", Self.primary])
        #expect(bound.status == 0, "\(bound.stderr)")
        #expect(try ProxyLab.peer(Self.primary, port: 30095) == ["10.244.0.16=1"], "\(ProxyLab.table())")
        #expect(try ProxyLab.peer(Self.other, port: 30095) == nil, "\(ProxyLab.table())")
        #expect(try ProxyLab.peer("10.244.0.1", port: 30095) == nil, "lab0's address is not primary")
        ProxyLab.cleanup()

        let unknown = try Self.runOnce(["--nodeport-addresses", "primary"])
        #expect(unknown.status == 0, "\(unknown.stderr)")
        #expect(try ProxyLab.peer(Self.primary, port: 30095) == ["10.244.0.16=1"], "\(ProxyLab.table())")
        #expect(try ProxyLab.peer(Self.other, port: 30095) == ["10.244.0.16=1"], "\(ProxyLab.table())")
    }

    /// With no --bind-address, the Node's InternalIP is the primary IP: the NodePort is there alone, and moves when
    /// the Node's address changes, with the proxy running (kube-proxy would exit to be restarted).
    @Test func primaryFollowsTheNodesAddress() async throws {
        try LabShell.prepareNetwork()
        ProxyLab.cleanup()
        try OwnershipLabTests.nodeInterface("primlab1", Self.primary)
        try OwnershipLabTests.nodeInterface("primlab1", Self.other)
        defer {
            _ = try? LabShell.run("ip", ["link", "del", "primlab1"])
            ProxyLab.cleanup()
        }
        let directory = try Self.directory()
        try ProxyLab.write(Self.node(internalIP: Self.primary), to: directory, as: "node.yaml")
        let proxy = try ProxyProcess(
            arguments: ProxyLab.arguments(
                directory,
                ["--nodeport-addresses", "primary", "--healthz-bind-address", "", "--metrics-bind-address", ""]))
        #expect(
            try await ProxyLab.eventually { try ProxyLab.peer(Self.primary, port: 30095) == ["10.244.0.16=1"] },
            "\(ProxyLab.table())\n\(proxy.output)")
        #expect(try ProxyLab.peer(Self.other, port: 30095) == nil, "\(ProxyLab.table())\n\(proxy.output)")
        #expect(try ProxyLab.peer("10.244.0.1", port: 30095) == nil, "lab0's address is not primary")

        try ProxyLab.write(Self.node(internalIP: Self.other), to: directory, as: "node.yaml")
        #expect(
            try await ProxyLab.eventually {
                try ProxyLab.peer(Self.other, port: 30095) == ["10.244.0.16=1"]
                    && ProxyLab.peer(Self.primary, port: 30095) == nil
            }, "the NodePort moves with the Node's address: \(ProxyLab.table())\n\(proxy.output)")
        #expect(proxy.stop() == 0)
    }
}
