import Values
import Foundation
import IPVS
import Logging
import Pods
import TestSupport
import Testing

/// What the proxy's lab tests share: pods, manifests directories, the proxy as a process, and kernel reads.
enum ProxyLab {
    static let logger = Logger(label: "proxy-lab-test")
    /// The dummy link the tests' proxy uses, so it never meets another suite's VIPs.
    static let interface = "ipvsproxy-lab"

    /// Brings up `count` fixture pods (pod-i at 10.244.0.1i, HTTP on 80), runs `body`, and takes them down.
    static func withPods<T>(count: Int = 3, _ body: () async throws -> T) async throws -> T {
        let options = PodNetworkOptions(count: count, runDirectory: "/run/ipvs-proxy-pods-proxylab")
        let network = try await PodNetwork.up(options, executable: try PodsLabTests.ipvsBenchBinary(), logger: logger)
        defer { cleanup() }
        do {
            let result = try await body()
            try await network.down()
            return result
        } catch {
            try? await network.down()
            throw error
        }
    }

    /// Removes whatever the tests' proxy owns, so each test starts from an empty table on its link.
    static func cleanup() {
        guard let binary = try? PodsLabTests.ipvsProxyBinary() else { return }
        _ = try? LabShell.run(binary, ["run", "--cleanup", "--interface", interface])
    }

    /// A fresh manifests directory.
    static func manifestsDirectory() throws -> URL {
        let url = URL(fileURLWithPath: "/tmp/proxylab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A Service `name` on `vip` port 80 with its EndpointSlice: the given pods (0-based) as ready endpoints.
    static func webService(
        _ name: String,
        vip: String,
        pods: [Int],
        annotations: String = "{}",
        affinity: String = "None"
    ) -> String {
        let endpoints = pods.map { "- addresses: [\"10.244.0.\(10 + $0)\"]\n  targetRef: {kind: Pod, name: pod-\($0)}" }
            .joined(separator: "\n")
        return """
            apiVersion: v1
            kind: Service
            metadata: {name: \(name), namespace: lab, annotations: \(annotations)}
            spec:
              clusterIP: \(vip)
              sessionAffinity: \(affinity)
              ports: [{name: http, protocol: TCP, port: 80}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: \(name)-1, namespace: lab, labels: {kubernetes.io/service-name: \(name)}}
            addressType: IPv4
            ports: [{name: http, protocol: TCP, port: 80}]
            endpoints:
            \(endpoints.isEmpty ? "[]" : endpoints)
            """
    }

    static func write(_ text: String, to directory: URL, as file: String) throws {
        try text.write(to: directory.appendingPathComponent(file), atomically: true, encoding: .utf8)
    }

    /// The arguments every test's proxy gets.
    static func arguments(_ directory: URL, _ extra: [String] = []) -> [String] {
        ["run", "--manifests", directory.path, "--interface", interface, "--hostname-override", "lab", "--log-level", "debug"]
            + extra
    }

    /// Runs `ipvs-proxy run ... --once` and returns what it logged.
    static func runOnce(_ directory: URL) throws -> String {
        let output = try LabShell.run(try PodsLabTests.ipvsProxyBinary(), arguments(directory, ["--once"]))
        #expect(output.status == 0, "ipvs-proxy run --once failed: \(output.stderr)")
        return output.stderr
    }

    /// `run --once` under strace: its log, and the netlink requests it sent that change the kernel.
    static func runOnceTraced(_ directory: URL) throws -> (log: String, writes: NetlinkWrites) {
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("strace-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let strace = ["-f", "-qq", "-v", "-s", "16", "-e", "trace=sendto,sendmsg", "-e", "signal=none", "-o", trace]
        let binary = try PodsLabTests.ipvsProxyBinary()
        let output = try LabShell.run("strace", strace + [binary] + arguments(directory, ["--once"]))
        #expect(output.status == 0, "ipvs-proxy run --once under strace failed: \(output.stderr)")
        return (output.stderr, NetlinkWrites(strace: try String(contentsOfFile: trace, encoding: .utf8)))
    }

    /// One GET on a new connection; the answering pod's name.
    static func ask(_ vip: String) throws -> String {
        try HTTPConnection(ipv4: vip, port: 80).get().trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes a kubeconfig for `server` without credentials (the test API servers ask for none) as `kubeconfig.conf`
    /// in `directory`; returns its path.
    static func kubeconfig(for server: TestAPIServer, in directory: TemporaryDirectory) throws -> String {
        try directory.write(
            "kubeconfig.conf",
            """
            apiVersion: v1
            kind: Config
            clusters: [{name: lab, cluster: {server: "\(server.baseURL)"}}]
            users: [{name: lab, user: {}}]
            contexts: [{name: lab, context: {cluster: lab, user: lab}}]
            current-context: lab
            """)
        return directory.file("kubeconfig.conf")
    }

    /// The kernel's view of one virtual server, through this project's netlink client.
    static func kernel(_ vip: String, port: UInt16 = 80) throws -> VirtualServerState? {
        guard let address = IPAddress(vip) else { return nil }
        return try IPVSNetlinkClient(logger: logger).virtualServer(.service(.tcp, address, port: port))
    }

    /// The real servers of one virtual server as `ipvsadm -Ln` (the independent peer) reports them:
    /// "address=weight", sorted; nil when the kernel has no such virtual server.
    static func peer(_ vip: String, port: UInt16 = 80) throws -> [String]? {
        let output = try LabShell.run("ipvsadm", ["-Ln", "-t", "\(vip):\(port)"])
        guard output.status == 0, output.stdout.contains("\(vip):\(port)") else { return nil }
        return output.stdout.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ")
            guard words.first == "->", words.count >= 4, words[1] != "RemoteAddress:Port" else { return nil }
            return "\(words[1].split(separator: ":")[0])=\(words[3])"
        }.sorted()
    }

    /// The kernel's whole table with connection counts, for failure messages.
    static func table() -> String {
        let tables = try? [
            LabShell.run("ipvsadm", ["-Ln"]), LabShell.run("ipvsadm", ["-Lnc"]), LabShell.run("ps", ["-eo", "pid,ppid,args"]),
        ]
        return tables.map { $0.map(\.stdout).joined() } ?? "(ipvsadm did not run)"
    }

    /// Waits up to `seconds` for `condition`, checking every 200 ms. The default is long because the lab's guest
    /// CPU is emulated and, on a host busy with builds, a proxy may need tens of seconds just to start: a wait
    /// that ends early proves nothing about the proxy, it only makes the test flaky (it returns as soon as the
    /// condition holds, so a generous bound costs nothing when things are well).
    static func eventually(_ seconds: Double = 180, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return try condition()
    }
}
