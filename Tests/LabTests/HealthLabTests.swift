import Foundation
import IPVS
import Pods
import Testing

/// Health checks end to end: a pod that stops answering leaves the kernel's table while clients keep being
/// served, and rejoins once it answers again. Membership is read from the kernel (ipvsadm), never inferred from
/// timing; the elapsed times are printed for the record.
@Suite(.serialized, Lab.only) struct HealthLabTests {
    /// Each test has its own VIP: connection entries a previous test left in the kernel (TIME_WAIT, CLOSE) would
    /// otherwise catch a new connection from a reused client port and send it to their old real server.
    static let vips = ["http": "10.96.1.20", "tcp": "10.96.1.21"]

    /// The Service's annotations: probe every 2 s, two failures out, two successes back. The timeout is generous:
    /// in the emulated guest, a healthy debug-built pod sometimes needs more than 500 ms to answer, and probes
    /// that time out on healthy pods would make them flap.
    static func annotations(_ mode: String, action: String) -> String {
        "{ipvs-proxy.io/health-check: \(mode), ipvs-proxy.io/health-check-interval: 2s,"
            + " ipvs-proxy.io/health-check-timeout: 1500ms, ipvs-proxy.io/health-check-rise: 2,"
            + " ipvs-proxy.io/health-check-fall: 2, ipvs-proxy.io/health-check-action: \(action)}"
    }

    /// Real servers taking new connections (weight above 0), as ipvsadm lists them; nil when ipvsadm does not
    /// show the virtual server (so a failed read never passes for "left").
    static func serving(_ vip: String) throws -> Set<String>? {
        guard let reals = try ProxyLab.peer(vip) else { return nil }
        return Set(reals.filter { !$0.hasSuffix("=0") }.map { String($0.split(separator: "=")[0]) })
    }

    /// One request through the VIP; a failure is recorded with the kernel's table and the proxy's log.
    static func ask(_ vip: String, _ proxy: ProxyProcess) -> String {
        do {
            return try ProxyLab.ask(vip)
        } catch {
            Issue.record("request to \(vip) failed: \(error)\n\(ProxyLab.table())\n\(proxy.output)")
            return "failed"
        }
    }

    static func pods() throws -> PodNetwork {
        try PodNetwork.attach(runDirectory: "/run/ipvs-proxy-pods-proxylab", logger: ProxyLab.logger)
    }

    /// Runs the proxy on one Service over pods 0-2 with the given probe; `body` gets the proxy and the state file.
    static func withProxy(
        mode: String, action: String, _ body: (ProxyProcess, String, String) async throws -> Void
    ) async throws {
        let vip = vips[mode] ?? "10.96.1.22"
        try await ProxyLab.withPods {
            let directory = try ProxyLab.manifestsDirectory()
            let service = ProxyLab.webService(
                "checked", vip: vip, pods: [0, 1, 2], annotations: annotations(mode, action: action))
            try ProxyLab.write(service, to: directory, as: "checked.yaml")
            let stateFile = "/tmp/health-\(UUID().uuidString).json"
            let proxy = try ProxyProcess(
                arguments: ProxyLab.arguments(
                    directory,
                    [
                        "--graceful-period", "2s", "--sync-period", "2s", "--health-state-file", stateFile,
                        // Annotations count only where the operator allows them, for endpoints in the CIDRs named.
                        "--health-check-annotations", "allow", "--health-check-cidrs", "10.244.0.0/16",
                    ]))
            defer { _ = proxy.stop() }
            let all: Set<String> = ["10.244.0.10", "10.244.0.11", "10.244.0.12"]
            #expect(try await ProxyLab.eventually(60) { try serving(vip) == all }, "\(ProxyLab.table())\n\(proxy.output)")
            try await body(proxy, stateFile, vip)
        }
    }

    @Test func aPausedPodLeavesOnHTTPProbesAndRejoinsWhenResumed() async throws {
        try await Self.withProxy(mode: "http", action: "remove") { proxy, stateFile, vip in
            let network = try Self.pods()
            let clock = ContinuousClock()
            try await network.pause("pod-1")
            let paused = clock.now
            let left = try await ProxyLab.eventually(30) { try Self.serving(vip)?.contains("10.244.0.11") == false }
            let outAfter = clock.now - paused
            #expect(left, "pod-1 still takes new connections:\n\(ProxyLab.table())\n\(proxy.output)")
            // Clients keep being served, by the other pods only.
            var answers = Set<String>()
            for _ in 0..<12 { answers.insert(Self.ask(vip, proxy)) }
            #expect(answers == ["pod-0", "pod-2"])
            #expect(proxy.output.contains("real server unhealthy"))
            let status = try LabShell.run(try PodsLabTests.ipvsProxyBinary(), ["status", "--health-state-file", stateFile])
            #expect(status.stdout.contains("10.244.0.11:80") && status.stdout.contains("DOWN"), "\(status.stdout)")
            // Full resyncs (every 2 s here) re-read the kernel and reconcile everything: it stays out through two.
            let fullSyncs = { proxy.output.components(separatedBy: "full sync").count - 1 }
            let seen = fullSyncs()
            #expect(try await ProxyLab.eventually(60) { fullSyncs() >= seen + 2 }, "no full sync ran: \(proxy.output)")
            #expect(
                try Self.serving(vip)?.contains("10.244.0.11") == false,
                "a resync re-added it:\n\(ProxyLab.table())\n\(proxy.output)")

            try await network.resume("pod-1")
            let resumed = clock.now
            let back = try await ProxyLab.eventually(30) { try Self.serving(vip)?.contains("10.244.0.11") == true }
            let inAfter = clock.now - resumed
            #expect(back, "pod-1 did not rejoin:\n\(ProxyLab.table())\n\(proxy.output)")
            answers = []
            for _ in 0..<12 { answers.insert(Self.ask(vip, proxy)) }
            #expect(answers == ["pod-0", "pod-1", "pod-2"])
            print("health lab (http, remove): out of the kernel's rotation \(outAfter) after pause (fall 2 x 2 s + 2 s = 6 s),"
                + " back \(inAfter) after resume (rise 2 x 2 s = 4 s), as seen by polling ipvsadm every 200 ms")
        }
    }

    @Test func aStoppedPodIsInhibitedOnTCPProbesAndRestoredWhenStarted() async throws {
        try await Self.withProxy(mode: "tcp", action: "inhibit") { proxy, _, vip in
            let network = try Self.pods()
            let clock = ContinuousClock()
            try await network.stop("pod-2")
            let stopped = clock.now
            let inhibited = try await ProxyLab.eventually(30) {
                (try ProxyLab.peer(vip) ?? []).contains("10.244.0.12=0")
            }
            let outAfter = clock.now - stopped
            #expect(inhibited, "pod-2 not at weight 0:\n\(ProxyLab.table())\n\(proxy.output)")
            var answers = Set<String>()
            for _ in 0..<12 { answers.insert(Self.ask(vip, proxy)) }
            #expect(answers == ["pod-0", "pod-1"])

            try await network.start("pod-2")
            let started = clock.now
            let back = try await ProxyLab.eventually(30) { (try ProxyLab.peer(vip) ?? []).contains("10.244.0.12=1") }
            let inAfter = clock.now - started
            #expect(back, "pod-2 not restored:\n\(ProxyLab.table())\n\(proxy.output)")
            print("health lab (tcp, inhibit): weight 0 \(outAfter) after stop, weight 1 again \(inAfter) after start")
        }
    }
}
