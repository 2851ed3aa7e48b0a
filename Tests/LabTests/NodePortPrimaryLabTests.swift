import Foundation
import Testing

/// `--nodeport-addresses primary` in a real kernel (issue 13: 16): with `--bind-address` the NodePorts of the
/// IPv4 family are on that address only; without it (and no Node object read) they are on every node address,
/// as kube-proxy falls back, and a warning asks for `--bind-address`.
@Suite(.serialized, Lab.only) struct NodePortPrimaryLabTests {
    static let primary = "192.0.2.80"
    static let other = "192.0.2.81"

    static func runOnce(_ extra: [String]) throws -> LabShell.Output {
        let directory = try ProxyLab.manifestsDirectory()
        try ProxyLab.write(
            OwnershipLabTests.service(
                "np", vip: "10.96.16.10", type: "NodePort", nodePort: 30095, endpoint: "10.244.0.16"),
            to: directory, as: "np.yaml")
        return try LabShell.run(
            try PodsLabTests.ipvsProxyBinary(),
            ProxyLab.arguments(
                directory, ["--once", "--healthz-bind-address", "", "--metrics-bind-address", ""] + extra))
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
        #expect(!bound.stderr.contains("primary IP is unknown"), "\(bound.stderr)")
        ProxyLab.cleanup()

        let unknown = try Self.runOnce(["--nodeport-addresses", "primary"])
        #expect(unknown.status == 0, "\(unknown.stderr)")
        #expect(
            unknown.stderr.split(separator: "\n").contains { $0.contains("warning") && $0.contains("--bind-address") },
            "\(unknown.stderr)")
        #expect(try ProxyLab.peer(Self.primary, port: 30095) == ["10.244.0.16=1"], "\(ProxyLab.table())")
        #expect(try ProxyLab.peer(Self.other, port: 30095) == ["10.244.0.16=1"], "\(ProxyLab.table())")
    }
}
