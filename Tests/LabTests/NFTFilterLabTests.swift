import Foundation
import Testing

/// The proxy's nftables filter and masquerading rules against real traffic through the fixture pods and client
/// network namespaces (issue 13: 9, 11, 12): host ports are not reachable through a VIP (KUBE-IPVS-FILTER),
/// `loadBalancerSourceRanges` admits one client and refuses another, a pod of another node reaching a NodePort
/// is masqueraded, and without a cluster CIDR the node's own connections to a cluster IP are.
@Suite(.serialized, Lab.only) struct NFTFilterLabTests {
    /// A client namespace `name` at `prefix`.2/24 behind a veth whose node side is `prefix`.1/24.
    static func clientUp(_ name: String, _ prefix: String) throws {
        clientDown(name)
        let steps: [[String]] = [
            ["netns", "add", name],
            ["link", "add", "\(name)-h", "type", "veth", "peer", "name", "\(name)-c", "netns", name],
            ["addr", "add", "\(prefix).1/24", "dev", "\(name)-h"],
            ["link", "set", "\(name)-h", "up"],
            ["-n", name, "link", "set", "lo", "up"],
            ["-n", name, "addr", "add", "\(prefix).2/24", "dev", "\(name)-c"],
            ["-n", name, "link", "set", "\(name)-c", "up"],
            ["-n", name, "route", "add", "default", "via", "\(prefix).1"],
        ]
        for step in steps {
            let output = try LabShell.run("ip", step)
            try #require(output.status == 0, "ip \(step.joined(separator: " ")): \(output.stderr)")
        }
    }

    static func clientDown(_ name: String) {
        _ = try? LabShell.run("ip", ["link", "del", "\(name)-h"])
        _ = try? LabShell.run("ip", ["netns", "del", name])
    }

    /// Opens a TCP connection from `namespace` (the node when nil), sends a line and reads for a moment; the
    /// socat status and its error output ("Connection refused" when the SYN was rejected).
    static func connect(from namespace: String?, _ address: String, port: Int, timeout: Int = 5) throws
        -> LabShell.Output
    {
        let socat = ["socat", "-T", "2", "-", "TCP:\(address):\(port),connect-timeout=\(timeout)"]
        if let namespace {
            return try LabShell.run("ip", ["netns", "exec", namespace] + socat, input: "ping\n")
        }
        return try LabShell.run(socat[0], Array(socat.dropFirst()), input: "ping\n")
    }

    /// The packet count of the first rule of `chain` in the proxy's table whose comment is `comment`.
    static func packets(_ chain: String, _ comment: String) throws -> Int {
        let listing = try LabShell.run("nft", ["list", "chain", "inet", "ipvs-proxy", chain]).stdout
        guard let line = listing.split(separator: "\n").first(where: { $0.contains("comment \"\(comment)\"") }) else {
            return -1
        }
        let words = line.split(separator: " ")
        return words.firstIndex(of: "packets").flatMap {
            words.index(after: $0) < words.endIndex ? Int(words[$0 + 1]) : nil
        } ?? -1
    }

    static func runOnce(_ directory: URL, _ extra: [String]) throws -> String {
        let binary = try PodsLabTests.ipvsProxyBinary()
        let run = try LabShell.run(binary, ProxyLab.arguments(directory, ["--once"] + extra))
        try #require(run.status == 0, "\(run.stderr)")
        return run.stderr
    }

    static func cleanupTable() {
        ProxyLab.cleanup()
        _ = try? LabShell.run("nft", ["delete", "table", "inet", "ipvs-proxy"])
    }

    @Test func aPodIsRefusedOnAVIPPortNoServiceUsesWhileTheServicePortWorks() async throws {
        try await ProxyLab.withPods(count: 2) {
            defer { Self.cleanupTable() }
            // A listener of the node's own on every address (sshd, the kubelet): port 2222.
            let listener = Process()
            listener.executableURL = URL(fileURLWithPath: "/usr/bin/socat")
            listener.arguments = ["TCP-LISTEN:2222,reuseaddr,fork", "PIPE"]
            try listener.run()
            defer { listener.terminate() }
            let directory = try ProxyLab.manifestsDirectory()
            try ProxyLab.write(
                ProxyLab.webService("filtered", vip: "10.96.6.10", pods: [0]), to: directory, as: "filtered.yaml")
            let log = try Self.runOnce(directory, ["--cluster-cidr", "10.244.0.0/16"])
            #expect(log.contains("only the elements that differed written"), "filled as one batch: \(log)")

            let listening = try await ProxyLab.eventually(30) {
                try Self.connect(from: "pod-1", "10.244.0.1", port: 2222).stdout.contains("ping")
            }
            #expect(listening, "the node's listener answers on the node's own address")
            #expect(try MasqueradeLabTests.ask(from: "pod-1", "10.96.6.10") == "pod-0", "VIP:80, the Service")
            let before = try Self.packets("vip-filter", "no Service on this VIP port")
            let refused = try Self.connect(from: "pod-1", "10.96.6.10", port: 2222)
            #expect(refused.status != 0, "VIP:2222 must not reach the node's listener: \(refused.stdout)")
            #expect(refused.stderr.contains("refused"), "rejected, not dropped: \(refused.stderr)")
            let node = try Self.connect(from: nil, "10.96.6.10", port: 2222)
            #expect(node.status != 0 && node.stderr.contains("refused"), "from the node too: \(node.stderr)")
            #expect(
                try Self.packets("vip-filter", "no Service on this VIP port") >= before + 2,
                "\(MasqueradeLabTests.nftTable())")
            #expect(try MasqueradeLabTests.ask(from: "pod-1", "10.96.6.10") == "pod-0", "the Service still works")
        }
    }

    static let guarded = """
        apiVersion: v1
        kind: Service
        metadata: {name: guarded, namespace: lab}
        spec:
          type: LoadBalancer
          clusterIP: 10.96.6.20
          loadBalancerSourceRanges: ["192.168.81.2/32", "not-a-cidr"]
          ports: [{name: http, protocol: TCP, port: 80, nodePort: 30090}]
        status:
          loadBalancer:
            ingress: [{ip: 192.168.78.20}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: guarded-1, namespace: lab, labels: {kubernetes.io/service-name: guarded}}
        addressType: IPv4
        ports: [{name: http, protocol: TCP, port: 80}]
        endpoints: [{addresses: ["10.244.0.10"], nodeName: lab}]
        """

    @Test func sourceRangesAdmitOneClientNamespaceAndRefuseAnother() async throws {
        try await ProxyLab.withPods(count: 2) {
            try Self.clientUp("src-a", "192.168.81")
            try Self.clientUp("src-b", "192.168.82")
            defer {
                Self.clientDown("src-a")
                Self.clientDown("src-b")
                Self.cleanupTable()
            }
            let directory = try ProxyLab.manifestsDirectory()
            try ProxyLab.write(Self.guarded, to: directory, as: "guarded.yaml")
            let log = try Self.runOnce(directory, ["--cluster-cidr", "10.244.0.0/16"])
            #expect(log.contains("spec.loadBalancerSourceRanges[1]"), "the bad entry is named: \(log)")
            let table = MasqueradeLabTests.nftTable()
            #expect(table.contains("192.168.78.20 . tcp . 80 . 192.168.81.2"), "\(table)")

            #expect(try MasqueradeLabTests.ask(from: "src-a", "192.168.78.20") == "pod-0", "admitted: \(table)")
            let dropped = try Self.packets("input", "loadBalancerSourceRanges")
            #expect(
                try MasqueradeLabTests.ask(from: "src-b", "192.168.78.20", connectTimeout: 3) == nil,
                "src-b is outside the ranges")
            #expect(try MasqueradeLabTests.ask(from: "pod-1", "192.168.78.20", connectTimeout: 3) == nil, "a pod too")
            #expect(try Self.packets("input", "loadBalancerSourceRanges") > dropped, "\(MasqueradeLabTests.nftTable())")
            let node = try Self.connect(from: nil, "192.168.78.20", port: 80, timeout: 3)
            #expect(node.status != 0, "no range holds a node address: the node is refused too")
            #expect(try Self.packets("output", "node outside loadBalancerSourceRanges") > 0)
            // NodePorts are not guarded (kube-proxy's IPVS mode guards load-balancer IPs only), and src-b's path
            // works: the refusal above was the ranges.
            #expect(try MasqueradeLabTests.ask(from: "src-b", "192.168.82.1", port: 30090) == "pod-0")
        }
    }

    @Test func aPodOfAnotherNodeReachingANodePortIsMasqueraded() async throws {
        try await ProxyLab.withPods(count: 2) {
            // A pod of another node: inside the cluster CIDR, routed to this node; pod-0 cannot reach it directly
            // (as an endpoint on a third node could not), so it answers only a masqueraded connection.
            try Self.clientUp("remote-pod", "10.244.90")
            defer {
                Self.clientDown("remote-pod")
                Self.cleanupTable()
            }
            let blackhole = try LabShell.run("ip", ["-n", "pod-0", "route", "add", "blackhole", "10.244.90.0/24"])
            try #require(blackhole.status == 0, "\(blackhole.stderr)")
            let directory = try ProxyLab.manifestsDirectory()
            try ProxyLab.write(MasqueradeLabTests.services, to: directory, as: "edge.yaml")
            _ = try Self.runOnce(directory, ["--cluster-cidr", "10.244.0.0/16"])
            #expect(
                try MasqueradeLabTests.ask(from: "remote-pod", "10.244.90.1", port: 30080) == "pod-0",
                "NodePort from another node's pod: \(MasqueradeLabTests.nftTable())")
            #expect(
                try MasqueradeLabTests.ask(from: "remote-pod", "10.244.90.1", port: 30081, connectTimeout: 3) == nil,
                "the control: Local keeps the pod's address, and pod-0's reply is lost")
        }
    }

    @Test func withoutAClusterCIDRTheNodesConnectionToAClusterIPIsMasqueraded() async throws {
        try await ProxyLab.withPods(count: 2) {
            defer { Self.cleanupTable() }
            // The node's connection to a cluster IP has that IP as its source; pod-0 routes the service range
            // nowhere (as an endpoint on another node, where the IP is local too, would not answer it).
            let blackhole = try LabShell.run("ip", ["-n", "pod-0", "route", "add", "blackhole", "10.96.6.0/24"])
            try #require(blackhole.status == 0, "\(blackhole.stderr)")
            let directory = try ProxyLab.manifestsDirectory()
            try ProxyLab.write(
                ProxyLab.webService("nodeclient", vip: "10.96.6.40", pods: [0]), to: directory, as: "node.yaml")
            _ = try Self.runOnce(directory, [])
            #expect(MasqueradeLabTests.nftTable().contains("10.96.6.40 . tcp . 80"))
            let answer = try Self.connect(from: nil, "10.96.6.40", port: 80)
            #expect(answer.status == 0, "\(answer.stderr)\n\(MasqueradeLabTests.nftTable())")
            #expect(try ProxyLab.ask("10.96.6.40") == "pod-0")
            #expect(try Self.packets("postrouting", "from a cluster IP") > 0, "\(MasqueradeLabTests.nftTable())")
            #expect(
                try MasqueradeLabTests.ask(from: "pod-1", "10.96.6.40") == "pod-0",
                "a pod's connection is not masqueraded and still works")
        }
    }
}
