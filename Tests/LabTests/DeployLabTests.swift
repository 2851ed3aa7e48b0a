import Foundation
import Testing

/// What an operator deploying in place of kube-proxy relies on, against the lab's real kernel: the metrics and
/// healthz endpoints of a running proxy, a kube-proxy config file, and the kernel settings behind the
/// kube-proxy flags (IPVS timeouts, strict ARP, excluded CIDRs).
@Suite(.serialized, Lab.only) struct DeployLabTests {
    /// `curl` from the lab's root: the body and the HTTP status.
    static func fetch(_ url: String) throws -> (body: String, status: String) {
        let output = try LabShell.run("curl", ["-s", "-m", "10", "-w", "\n%{http_code}", url])
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.dropLast().joined(separator: "\n"), String(lines.last ?? ""))
    }

    /// The value of an unlabelled sample in Prometheus text.
    static func sample(_ name: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
    }

    @Test func aRunningProxyServesMetricsAndHealthz() async throws {
        try LabShell.prepareNetwork()
        try await ProxyLab.withPods {
            let directory = try ProxyLab.manifestsDirectory()
            try ProxyLab.write(
                ProxyLab.webService("web", vip: "10.96.7.10", pods: [0, 1, 2]), to: directory, as: "web.yaml")
            try ProxyLab.write(ProxyLab.webService("api", vip: "10.96.7.11", pods: [1]), to: directory, as: "api.yaml")
            let proxy = try ProxyProcess(
                arguments: ProxyLab.arguments(
                    directory,
                    ["--metrics-bind-address", "127.0.0.1:19249", "--healthz-bind-address", "127.0.0.1:19256"]))
            defer { _ = proxy.stop() }
            #expect(
                try await ProxyLab.eventually(90) { try ProxyLab.peer("10.96.7.10")?.count == 3 }, "\(proxy.output)")
            #expect(try await ProxyLab.eventually { try ProxyLab.peer("10.96.7.11")?.count == 1 }, "\(proxy.output)")
            var metrics = ""
            let counted = try await ProxyLab.eventually {
                metrics = try Self.fetch("http://127.0.0.1:19249/metrics").body
                return Self.sample("ipvs_proxy_virtual_servers", in: metrics) == 2
            }
            #expect(counted, "\(metrics)\n\(proxy.output)")
            #expect(Self.sample("ipvs_proxy_real_servers", in: metrics) == 4, "\(metrics)")
            #expect(Self.sample("ipvs_proxy_pending_changes", in: metrics) == 0, "\(metrics)")
            #expect(metrics.contains("ipvs_proxy_sync_duration_seconds_count{kind=\"full\"} "), "\(metrics)")
            let healthz = try Self.fetch("http://127.0.0.1:19256/healthz")
            #expect(healthz.status == "200", "\(healthz)")
            #expect(
                healthz.body.contains("\"lastUpdated\": \"2") && healthz.body.contains("\"currentTime\""), "\(healthz)")
            #expect(try Self.fetch("http://127.0.0.1:19256/livez").status == "200")
            #expect(
                try Self.fetch("http://127.0.0.1:19249/healthz").status == "404", "metrics port serves /metrics only")
        }
    }

    @Test func kubeProxyConfigAndKernelSettingsApply() throws {
        try LabShell.prepareNetwork()
        let directory = try ProxyLab.manifestsDirectory()
        try ProxyLab.write(ProxyLab.webService("web", vip: "10.96.8.10", pods: [0]), to: directory, as: "web.yaml")
        let config = directory.deletingLastPathComponent().appendingPathComponent(
            "kube-proxy-\(UUID().uuidString).yaml")
        try """
        apiVersion: kubeproxy.config.k8s.io/v1alpha1
        kind: KubeProxyConfiguration
        mode: ipvs
        clientConnection: {kubeconfig: /var/lib/kube-proxy/kubeconfig.conf}
        ipvs:
          scheduler: wlc
          strictARP: true
          excludeCIDRs: [10.96.8.128/25]
          tcpTimeout: 1000s
          udpTimeout: 77s
        """.write(to: config, atomically: true, encoding: .utf8)
        defer { ProxyLab.cleanup() }
        // Someone else's virtual server on the proxy's own link, inside the excluded CIDR.
        _ = try LabShell.run("ip", ["link", "add", ProxyLab.interface, "type", "dummy"])
        try LabShell.run("ip", ["addr", "add", "10.96.8.200/32", "dev", ProxyLab.interface])
        try LabShell.run("ipvsadm", ["-A", "-t", "10.96.8.200:80", "-s", "rr"])
        defer { _ = try? LabShell.run("ipvsadm", ["-D", "-t", "10.96.8.200:80"]) }
        let before = try LabShell.run("ipvsadm", ["-L", "--timeout"]).stdout

        let run = try LabShell.run(
            try PodsLabTests.ipvsProxyBinary(),
            ProxyLab.arguments(directory, ["--once", "--config", config.path, "--ipvs-udp-timeout", "78s"]))
        #expect(run.status == 0, "\(run.stderr)")
        // clientConnection is honoured now, and --manifests reads no cluster, so the file's kubeconfig is unused.
        #expect(!run.stderr.contains("clientConnection"), "\(run.stderr)")

        let table = try LabShell.run("ipvsadm", ["-Ln"]).stdout
        #expect(table.contains("TCP  10.96.8.10:80 wlc"), "the file's scheduler: \(table)")
        #expect(table.contains("TCP  10.96.8.200:80 rr"), "the excluded virtual server stays: \(table)")
        let addresses = try LabShell.run("ip", ["-br", "addr", "show", "dev", ProxyLab.interface]).stdout
        #expect(addresses.contains("10.96.8.200"), "its address stays bound: \(addresses)")
        let timeouts = try LabShell.run("ipvsadm", ["-L", "--timeout"]).stdout
        let tcpFin = before.split(separator: " ").dropLast().last.map(String.init) ?? "?"
        #expect(
            timeouts.contains("Timeout (tcp tcpfin udp): 1000 \(tcpFin) 78"),
            "flag over file, tcpfin left: \(before) → \(timeouts)")
        let arpIgnore = try String(contentsOfFile: "/proc/sys/net/ipv4/conf/all/arp_ignore", encoding: .utf8)
        let arpAnnounce = try String(contentsOfFile: "/proc/sys/net/ipv4/conf/all/arp_announce", encoding: .utf8)
        #expect(arpIgnore.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        #expect(arpAnnounce.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
    }
}
