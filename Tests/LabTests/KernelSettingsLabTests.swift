import Foundation
import Testing

/// The kernel settings kube-proxy's IPVS mode sets, written by the proxy at start in a real kernel (issue 13: 15):
/// each one that differed changes, with one log line naming it; one that cannot be written is a warning and the
/// proxy still runs.
@Suite(.serialized, Lab.only) struct KernelSettingsLabTests {
    static let settings = [
        "net.ipv4.vs.conntrack", "net.ipv4.vs.expire_nodest_conn", "net.ipv4.vs.expire_quiescent_template",
        "net.ipv4.ip_forward", "net.ipv4.conf.all.arp_ignore", "net.ipv4.conf.all.arp_announce",
        "net.ipv4.vs.conn_reuse_mode",
    ]

    static func path(_ name: String) -> String { "/proc/sys/" + name.replacingOccurrences(of: ".", with: "/") }

    static func read(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func write(_ name: String, _ value: String) throws {
        let result = try LabShell.run("sysctl", ["-w", "\(name)=\(value)"])
        #expect(result.status == 0, "sysctl -w \(name)=\(value): \(result.stderr)")
    }

    /// The log lines of `output` that mention `name` and say `message`.
    static func lines(_ output: String, _ message: String, _ name: String) -> [Substring] {
        output.split(separator: "\n").filter {
            $0.contains(message) && $0.split(separator: " ").contains { $0 == "sysctl=\(name)" }
        }
    }

    static func runOnce(_ extra: [String]) throws -> LabShell.Output {
        let directory = try ProxyLab.manifestsDirectory()
        // A Service without endpoints: its virtual server, and no pods needed.
        let service = """
            apiVersion: v1
            kind: Service
            metadata: {name: sysctls, namespace: lab}
            spec:
              clusterIP: 10.96.15.10
              ports: [{name: http, protocol: TCP, port: 80}]
            """
        try ProxyLab.write(service, to: directory, as: "svc.yaml")
        return try LabShell.run(
            try PodsLabTests.ipvsProxyBinary(), ProxyLab.arguments(directory, ["--once"] + extra))
    }

    @Test func settingsThatDifferAreSetWithOneLineEachAndConnReuseModeIsLeftOnThisKernel() throws {
        let saved = try Self.settings.map { ($0, try Self.read($0)) }
        defer {
            for (name, value) in saved { try? Self.write(name, value) }
            ProxyLab.cleanup()
        }
        _ = try LabShell.run("modprobe", ["ip_vs"])
        for name in Self.settings.prefix(4) { try Self.write(name, "0") }
        try Self.write("net.ipv4.conf.all.arp_ignore", "0")
        try Self.write("net.ipv4.conf.all.arp_announce", "2")
        try Self.write("net.ipv4.vs.conn_reuse_mode", "2")
        let osrelease = try String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8)

        let first = try Self.runOnce(["--ipvs-strict-arp"])
        #expect(first.status == 0, "\(first.stderr)")
        for name in Self.settings.prefix(5) {
            #expect(try Self.read(name) == "1", "\(name) after start")
            #expect(Self.lines(first.stderr, "kernel setting changed", name).count == 1, "\(name): \(first.stderr)")
        }
        #expect(try Self.read("net.ipv4.conf.all.arp_announce") == "2")
        #expect(Self.lines(first.stderr, "kernel setting changed", "net.ipv4.conf.all.arp_announce").isEmpty)
        // The lab's kernel is 5.9 or later: kube-proxy leaves conn_reuse_mode as it is, and so does the proxy.
        #expect(osrelease.hasPrefix("6.") || osrelease.hasPrefix("5."), "\(osrelease)")
        #expect(try Self.read("net.ipv4.vs.conn_reuse_mode") == "2")
        #expect(
            Self.lines(first.stderr, "kernel setting left as it is", "net.ipv4.vs.conn_reuse_mode").count == 1,
            "\(first.stderr)")

        // A second start finds everything right: no line at all.
        let second = try Self.runOnce(["--ipvs-strict-arp"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!second.stderr.contains("kernel setting changed"), "\(second.stderr)")
    }

    /// A setting whose file is read-only (bind-mounted over /proc/sys) is a warning naming it; the proxy still
    /// programs the kernel and the other settings are still set.
    @Test func aSettingThatCannotBeWrittenIsAWarningAndTheProxyStillRuns() throws {
        let saved = try Self.settings.map { ($0, try Self.read($0)) }
        let target = Self.path("net.ipv4.vs.expire_quiescent_template")
        let stand = "/tmp/sysctl-readonly-\(UUID().uuidString)"
        try "0\n".write(toFile: stand, atomically: false, encoding: .utf8)
        defer {
            _ = try? LabShell.run("umount", [target])
            try? FileManager.default.removeItem(atPath: stand)
            for (name, value) in saved { try? Self.write(name, value) }
            ProxyLab.cleanup()
        }
        try Self.write("net.ipv4.vs.expire_nodest_conn", "0")
        let bound = try LabShell.run("mount", ["--bind", stand, target])
        #expect(bound.status == 0, "\(bound.stderr)")
        let readOnly = try LabShell.run("mount", ["-o", "remount,bind,ro", target])
        #expect(readOnly.status == 0, "\(readOnly.stderr)")

        let run = try Self.runOnce([])
        #expect(run.status == 0, "\(run.stderr)")
        let warning = Self.lines(run.stderr, "kernel setting could not be set", "net.ipv4.vs.expire_quiescent_template")
        #expect(warning.count == 1, "\(run.stderr)")
        #expect(warning.first?.contains("warning") == true)
        #expect(warning.first?.contains("UserInfo") == false, "the reason, not Foundation's whole error")
        #expect(try Self.read("net.ipv4.vs.expire_nodest_conn") == "1")
        #expect(try ProxyLab.peer("10.96.15.10") == [], "\(ProxyLab.table())")
    }
}
