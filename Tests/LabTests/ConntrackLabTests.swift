import Foundation
import IPVS
import Proxy
import Testing
import Values

/// Stale conntrack flows against the real kernel: the libnl-nf dump and delete (entries written by conntrack(8),
/// the independent peer), and, end to end, a UDP client whose backend leaves the Service while it sends.
@Suite(.serialized, Lab.only) struct ConntrackLabTests {
    static let vip = "10.96.77.10"
    static let client = "10.245.0.9"
    static let backends = ["10.245.0.2", "10.245.0.3"]

    @discardableResult
    static func sh(_ command: String, _ arguments: [String]) throws -> LabShell.Output {
        let output = try LabShell.run(command, arguments)
        #expect(output.status == 0, "\(command) \(arguments.joined(separator: " ")): \(output.stderr)")
        return output
    }

    /// Writes one entry with conntrack(8): `source:sport → destination:dport`, answered from `reply:rport` (the
    /// family follows from the addresses).
    static func insert(
        _ proto: String, _ source: String, _ sport: UInt16, _ destination: String, _ dport: UInt16,
        reply: String, _ rport: UInt16
    ) throws {
        var arguments = ["-I", "-p", proto, "-s", source, "-d", destination, "--sport", "\(sport)"]
        arguments += ["--dport", "\(dport)", "-r", reply, "-q", source, "--reply-port-src", "\(rport)"]
        arguments += ["--reply-port-dst", "\(sport)", "-t", "120"]
        arguments += proto == "tcp" ? ["--state", "ESTABLISHED", "-u", "SEEN_REPLY"] : ["-u", "SEEN_REPLY"]
        try sh("conntrack", arguments)
    }

    @Test func theDumpReadsAndTheDeleteRemovesExactlyTheStaleFlows() throws {
        _ = try LabShell.run("conntrack", ["-F"])
        try Self.insert("udp", Self.client, 40000, Self.vip, 53, reply: "10.245.0.2", 5353)
        try Self.insert("udp", Self.client, 40001, Self.vip, 53, reply: "10.245.0.3", 5353)
        try Self.insert("tcp", Self.client, 40000, Self.vip, 53, reply: "10.245.0.2", 5353)
        try Self.insert("udp", "fd00:245::9", 40000, "fd00:96::10", 53, reply: "fd00:245::2", 5353)
        func ip(_ text: String) -> IPAddress { IPAddress(text) ?? .v4(IPv4Address(0, 0, 0, 0)) }
        let rules = StaleFlowRules(served: [
            .init(.udp, ip(Self.vip), port: 53): [RealServerEndpoint(address: ip("10.245.0.3"), port: 5353)],
            .init(.udp, ip("fd00:96::10"), port: 53): [RealServerEndpoint(address: ip("fd00:245::3"), port: 5353)],
        ])
        var seen: [ConntrackFlow] = []
        let result = try NetfilterConntrack().deleteFlows(limit: 100, deadline: .now + .seconds(60)) { flow in
            seen.append(flow)
            return rules.isStale(flow)
        }
        let expected = ConntrackFlow(
            transport: .udp,
            original: .init(source: ip(Self.client), sourcePort: 40000, destination: ip(Self.vip), destinationPort: 53),
            reply: .init(
                source: ip("10.245.0.2"), sourcePort: 5353, destination: ip(Self.client), destinationPort: 40000))
        #expect(seen.contains(expected), "the dump's addresses and ports, as conntrack(8) wrote them: \(seen)")
        #expect(result.examined == 4 && result.stale == 2 && result.deleted == 2 && result.failed == 0, "\(result)")
        func entries(_ arguments: [String]) throws -> [String] {
            try Self.sh("conntrack", ["-L"] + arguments).stdout.split(separator: "\n").map(String.init)
        }
        let udp = try entries(["-p", "udp", "-f", "ipv4"]) + entries(["-p", "udp", "-f", "ipv6"])
        print("UDP flows left after the cleanup:\n\(udp.joined(separator: "\n"))")
        #expect(udp.count == 1 && udp.first?.contains("src=10.245.0.3 dst=\(Self.client) sport=5353") == true)
        #expect(try entries(["-p", "tcp"]).count == 1, "TCP is never touched")
        _ = try LabShell.run("conntrack", ["-F"])
    }

    /// A UDP Service on the VIP's port 53 whose endpoints are `backends` (port 5353).
    static func dnsService(_ backends: [String]) -> String {
        let endpoints = backends.map { "- addresses: [\"\($0)\"]" }.joined(separator: "\n")
        return """
            apiVersion: v1
            kind: Service
            metadata: {name: dns, namespace: lab}
            spec:
              clusterIP: \(vip)
              ports: [{name: dns, protocol: UDP, port: 53, targetPort: 5353}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: dns-1, namespace: lab, labels: {kubernetes.io/service-name: dns}}
            addressType: IPv4
            ports: [{name: dns, protocol: UDP, port: 5353}]
            endpoints:
            \(endpoints)
            """
    }

    /// Two backends and a client, each a network namespace on a bridge of their own (10.245.0.0/24).
    static func setUpNetwork() throws {
        tearDownNetwork()
        try sh("ip", ["link", "set", "lo", "up"])
        try sh("ip", ["link", "add", "ctlab0", "type", "bridge"])
        try sh("ip", ["addr", "add", "10.245.0.1/24", "dev", "ctlab0"])
        try sh("ip", ["link", "set", "ctlab0", "up"])
        for (name, address) in [("a", backends[0]), ("b", backends[1]), ("c", client)] {
            try sh("ip", ["netns", "add", "ctlab-\(name)"])
            try sh(
                "ip", ["link", "add", "ctlab-\(name)", "type", "veth", "peer", "name", "eth0", "netns", "ctlab-\(name)"])
            try sh("ip", ["link", "set", "ctlab-\(name)", "master", "ctlab0", "up"])
            for command in [
                ["link", "set", "lo", "up"], ["addr", "add", "\(address)/24", "dev", "eth0"],
                ["link", "set", "eth0", "up"],
                ["route", "add", "default", "via", "10.245.0.1"],
            ] {
                try sh("ip", ["-n", "ctlab-\(name)"] + command)
            }
        }
        try sh("sysctl", ["-qw", "net.ipv4.ip_forward=1"])
    }

    /// Ends every process in the namespaces (the tests' socats) and removes them.
    static func tearDownNetwork() {
        for name in ["a", "b", "c"] {
            let pids = (try? LabShell.run("ip", ["netns", "pids", "ctlab-\(name)"]).stdout) ?? ""
            for pid in pids.split(separator: "\n") { _ = try? LabShell.run("kill", [String(pid)]) }
            _ = try? LabShell.run("ip", ["netns", "del", "ctlab-\(name)"])
        }
        _ = try? LabShell.run("ip", ["link", "del", "ctlab0"])
    }

    /// Starts `script` with /bin/sh in the background.
    static func background(_ script: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The datagrams a backend received: the client's sequence numbers.
    static func received(_ file: URL) -> [Int] {
        ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int($0) }
    }

    @Test func aUDPFlowMovesToALiveBackendWhenItsBackendLeaves() async throws {
        _ = try LabShell.run("conntrack", ["-F"])
        try Self.setUpNetwork()
        defer { Self.tearDownNetwork() }
        ProxyLab.cleanup()
        defer { ProxyLab.cleanup() }
        let directory = try ProxyLab.manifestsDirectory()
        try ProxyLab.write(Self.dnsService(Self.backends), to: directory, as: "dns.yaml")
        let logs = [directory.appendingPathComponent("a.log"), directory.appendingPathComponent("b.log")]
        for (name, log) in zip(["a", "b"], logs) {
            _ = try Self.background(
                "exec ip netns exec ctlab-\(name) socat -u UDP-RECV:5353 OPEN:\(log.path),creat,append")
        }
        let proxy = try ProxyProcess(arguments: ProxyLab.arguments(directory, ["--sync-period", "1h"]))
        let programmed = try await ProxyLab.eventually {
            try LabShell.run("ipvsadm", ["-Ln", "-u", "\(Self.vip):53"]).stdout.components(separatedBy: "->").count == 4
        }
        #expect(programmed, "the Service was not programmed: \(ProxyLab.table())\n\(proxy.output)")
        // One client, one source port, a datagram every 50 ms: one flow, pinned to one backend.
        _ = try Self.background(
            "i=0; while :; do echo $i; i=$((i+1)); sleep 0.05; done | ip netns exec ctlab-c socat -u - "
                + "UDP-SENDTO:\(Self.vip):53,sourceport=40000")
        let pinned = try await ProxyLab.eventually { logs.contains { Self.received($0).count >= 10 } }
        #expect(pinned, "no backend received the client's datagrams: \(ProxyLab.table())")
        let old = Self.received(logs[0]).count >= 10 ? 0 : 1
        let live = 1 - old
        #expect(Self.received(logs[live]).isEmpty, "the flow was not pinned to one backend")
        let clock = ContinuousClock()
        let changed = clock.now
        try ProxyLab.write(Self.dnsService([Self.backends[live]]), to: directory, as: "dns.yaml")
        var removed: ContinuousClock.Instant?
        var moved: ContinuousClock.Instant?
        _ = try await ProxyLab.eventually(120) {
            if removed == nil,
                !(try LabShell.run("ipvsadm", ["-Ln", "-u", "\(Self.vip):53"]).stdout.contains(Self.backends[old]))
            {
                removed = clock.now
            }
            if moved == nil, !Self.received(logs[live]).isEmpty { moved = clock.now }
            return removed != nil && moved != nil
        }
        // The cleanup after the removal's pass (the first ran after the first pass).
        let cleaned = try await ProxyLab.eventually(120) {
            proxy.output.split(separator: "\n").filter { $0.contains("conntrack flow") }.count >= 2
        }
        let output = proxy.output
        _ = proxy.stop()
        #expect(cleaned, "no cleanup after the backend's removal: \(output)")
        guard let removed, let moved else {
            Issue.record("the flow did not move (removed: \(removed != nil)): \(ProxyLab.table())\n\(output)")
            return
        }
        print(
            "UDP flow moved to the live backend \(moved - changed) after the manifest change, "
                + "\(moved - removed) after the kernel lost the old backend")
        #expect(moved - removed < .seconds(30), "a generous bound for an emulated, busy guest")
        let firstNew = Self.received(logs[live]).min() ?? 0
        #expect(firstNew > (Self.received(logs[old]).max() ?? 0), "the old backend got nothing after the move")
        let cleanups = output.split(separator: "\n").filter { $0.contains("conntrack flow") }
        print("the proxy's cleanups:\n\(cleanups.joined(separator: "\n"))")
        #expect(!cleanups.isEmpty, "the cleaner ran: \(output)")
        #expect(!output.contains("could not clean stale"), "the cleanup failed: \(output)")
    }
}
