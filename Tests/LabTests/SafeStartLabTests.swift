import Foundation
import Testing

/// Safe starts against the real kernel (issue 12): an input that is missing, broken or empty at start leaves the
/// table and the VIP link byte-identical, as `ipvsadm -Sn` and `ip addr` print them.
@Suite(.serialized, Lab.only) struct SafeStartLabTests {
    static let vip = "10.96.7.10"

    /// `ipvsadm -Sn` and the link's addresses: what must not change.
    static func snapshot() throws -> String {
        let table = try LabShell.run("ipvsadm", ["-Sn"])
        let link = try LabShell.run("ip", ["-o", "addr", "show", "dev", ProxyLab.interface])
        return table.stdout + link.stdout
    }

    /// A kernel holding one Service the proxy owns, programmed by a first `--once` run.
    static func programmed() throws -> URL {
        ProxyLab.cleanup()
        let directory = try ProxyLab.manifestsDirectory()
        try ProxyLab.write(ProxyLab.webService("safe", vip: vip, pods: [0, 1]), to: directory, as: "safe.yaml")
        _ = try ProxyLab.runOnce(directory)
        #expect(try ProxyLab.peer(vip)?.count == 2)
        return directory
    }

    static func runOnce(_ directory: String, _ extra: [String] = []) throws -> LabShell.Output {
        try LabShell.run(
            try PodsLabTests.ipvsProxyBinary(),
            ProxyLab.arguments(URL(fileURLWithPath: directory), ["--once"] + extra))
    }

    @Test func aMissingDirectoryABrokenFileOrAnEmptyDirectoryAtStartChangeNothing() throws {
        defer { ProxyLab.cleanup() }
        let good = try Self.programmed()
        let before = try Self.snapshot()
        #expect(before.contains("\(Self.vip):80"))

        let missing = try Self.runOnce(good.path + "-missing")
        #expect(missing.status != 0)
        #expect(missing.stderr.contains(good.path + "-missing"), "\(missing.stderr)")
        #expect(try Self.snapshot() == before, "a missing directory changed the kernel")

        let broken = try ProxyLab.manifestsDirectory()
        try ProxyLab.write(ProxyLab.webService("safe", vip: Self.vip, pods: [0, 1]), to: broken, as: "safe.yaml")
        try ProxyLab.write("kind: Service\n  metadata: [unclosed\n", to: broken, as: "broken.yaml")
        let unparsed = try Self.runOnce(broken.path)
        #expect(unparsed.status != 0)
        #expect(unparsed.stderr.contains("broken.yaml"), "\(unparsed.stderr)")
        #expect(try Self.snapshot() == before, "a broken file changed the kernel")

        let empty = try ProxyLab.manifestsDirectory()
        let held = try Self.runOnce(empty.path)
        #expect(held.status != 0)
        #expect(held.stderr.contains("--allow-empty-source"), "\(held.stderr)")
        #expect(try Self.snapshot() == before, "an empty directory changed the kernel")

        let allowed = try Self.runOnce(empty.path, ["--allow-empty-source"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(try ProxyLab.peer(Self.vip) == nil, "--allow-empty-source empties what the proxy owns")
    }

    /// A running proxy started on a missing directory waits, changing nothing, and syncs once it appears.
    @Test func aRunningProxyWaitsForItsDirectoryThenSyncs() async throws {
        defer { ProxyLab.cleanup() }
        let good = try Self.programmed()
        let before = try Self.snapshot()
        let later = good.path + "-later"
        let proxy = try ProxyProcess(
            arguments: ProxyLab.arguments(
                URL(fileURLWithPath: later), ["--healthz-bind-address", "", "--metrics-bind-address", ""]))
        defer { _ = proxy.stop() }
        #expect(try await ProxyLab.eventually { proxy.output.contains("not syncing yet") }, "\(proxy.output)")
        #expect(try Self.snapshot() == before, "the proxy changed the kernel before its directory existed")
        let staging = try ProxyLab.manifestsDirectory()
        try ProxyLab.write(ProxyLab.webService("safe", vip: Self.vip, pods: [2]), to: staging, as: "safe.yaml")
        try FileManager.default.moveItem(atPath: staging.path, toPath: later)
        #expect(
            try await ProxyLab.eventually { try ProxyLab.peer(Self.vip) == ["10.244.0.12=1"] },
            "\(proxy.output)\n\(ProxyLab.table())")
        #expect(proxy.stop() == 0)
    }
}
