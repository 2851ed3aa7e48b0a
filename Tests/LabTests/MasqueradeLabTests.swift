import Foundation
import Testing

/// Masquerading end to end: the proxy's nftables table against real traffic through the fixture pods, from a pod
/// to itself (hairpin), from the node, and from a network namespace acting as a client outside the cluster.
///
/// pod-0 (10.244.0.10) drops everything it would send to the outside client's network (192.168.77.0/24), as
/// an endpoint on another node would (its replies would not come back through this node): a connection from
/// there answers only when it was masqueraded to the node's address on the pods' bridge.
@Suite(.serialized, Lab.only) struct MasqueradeLabTests {
    static let outside = "masq-ext"
    static let nodeAddress = "192.168.77.1"
    static let externalIP = "192.168.78.10"

    static let services = """
        apiVersion: v1
        kind: Service
        metadata: {name: edge, namespace: lab}
        spec:
          type: NodePort
          clusterIP: 10.96.5.11
          externalIPs: [\(externalIP)]
          ports: [{name: http, protocol: TCP, port: 80, nodePort: 30080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: local, namespace: lab}
        spec:
          type: NodePort
          clusterIP: 10.96.5.12
          externalTrafficPolicy: Local
          ports: [{name: http, protocol: TCP, port: 80, nodePort: 30081}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: edge-1, namespace: lab, labels: {kubernetes.io/service-name: edge}}
        addressType: IPv4
        ports: [{name: http, protocol: TCP, port: 80}]
        endpoints: [{addresses: ["10.244.0.10"], nodeName: lab}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: local-1, namespace: lab, labels: {kubernetes.io/service-name: local}}
        addressType: IPv4
        ports: [{name: http, protocol: TCP, port: 80}]
        endpoints: [{addresses: ["10.244.0.10"], nodeName: lab}]
        """

    /// The outside client: its own namespace and veth, 192.168.77.2/24, routed through the node.
    static func outsideClientUp() throws {
        outsideClientDown()
        let steps: [[String]] = [
            ["netns", "add", outside],
            ["link", "add", "masq-ext-h", "type", "veth", "peer", "name", "masq-ext-c", "netns", outside],
            ["addr", "add", "\(nodeAddress)/24", "dev", "masq-ext-h"],
            ["link", "set", "masq-ext-h", "up"],
            ["-n", outside, "link", "set", "lo", "up"],
            ["-n", outside, "addr", "add", "192.168.77.2/24", "dev", "masq-ext-c"],
            ["-n", outside, "link", "set", "masq-ext-c", "up"],
            ["-n", outside, "route", "add", "default", "via", nodeAddress],
            // pod-0 cannot reach the outside client's network: unmasqueraded replies are lost.
            // (Its bridge port gets hairpin mode below, as a bridge CNI with hairpinMode or the kubelet sets it.)
            ["-n", "pod-0", "route", "add", "blackhole", "192.168.77.0/24"],
        ]
        for step in steps {
            let output = try LabShell.run("ip", step)
            try #require(output.status == 0, "ip \(step.joined(separator: " ")): \(output.stderr)")
        }
        // With br_netfilter calling netfilter for bridged frames (the lab loads it, as Kubernetes nodes do), the
        // hairpin reply is bridged back out of the port it came in by: that port needs hairpin mode.
        let hairpin = try LabShell.run("ip", ["link", "set", "ipvslab0-0", "type", "bridge_slave", "hairpin", "on"])
        try #require(hairpin.status == 0, "hairpin mode on pod-0's bridge port: \(hairpin.stderr)")
    }

    static func outsideClientDown() {
        _ = try? LabShell.run("ip", ["link", "del", "masq-ext-h"])
        _ = try? LabShell.run("ip", ["netns", "del", outside])
    }

    /// One HTTP GET from inside `namespace`; the answering pod's name, or nil when nothing answered in time.
    static func ask(from namespace: String, _ address: String, port: Int = 80, connectTimeout: Int = 10) throws
        -> String?
    {
        let output = try LabShell.run(
            "ip",
            [
                "netns", "exec", namespace, "socat", "-T", "15", "-",
                "TCP:\(address):\(port),connect-timeout=\(connectTimeout)",
            ],
            input: "GET / HTTP/1.0\r\nHost: lab\r\n\r\n"
        )
        let header = output.stdout.split(whereSeparator: \.isNewline).first { $0.hasPrefix("X-Pod:") }
        return header.map { $0.dropFirst("X-Pod:".count).trimmingCharacters(in: .whitespaces) }
    }

    /// The packet count of the first rule of the proxy's chain whose comment is `comment` (the IPv4 one).
    static func packets(_ comment: String) throws -> Int? {
        let chain = try LabShell.run("nft", ["list", "chain", "inet", "ipvs-proxy", "postrouting"]).stdout
        guard let line = chain.split(separator: "\n").first(where: { $0.contains("comment \"\(comment)\"") }) else {
            return nil
        }
        let words = line.split(separator: " ")
        return words.firstIndex(of: "packets").flatMap {
            words.index(after: $0) < words.endIndex ? Int(words[$0 + 1]) : nil
        }
    }

    static func nftTable() -> String {
        (try? LabShell.run("nft", ["list", "table", "inet", "ipvs-proxy"]).stdout) ?? "(nft did not run)"
    }

    @Test func hairpinNodePortAndExternalIPFromOutsideAreMasqueradedAndLocalPolicyIsNot() async throws {
        try await ProxyLab.withPods(count: 2) {
            try Self.outsideClientUp()
            defer { Self.outsideClientDown() }
            let directory = try ProxyLab.manifestsDirectory()
            try ProxyLab.write(Self.services, to: directory, as: "edge.yaml")
            try ProxyLab.write(
                ProxyLab.webService("self", vip: "10.96.5.10", pods: [0]), to: directory, as: "self.yaml")
            let binary = try PodsLabTests.ipvsProxyBinary()
            let run = try LabShell.run(
                binary, ProxyLab.arguments(directory, ["--once", "--cluster-cidr", "10.244.0.0/16"]))
            try #require(run.status == 0, "\(run.stderr)")
            #expect(
                run.stderr.contains("only the elements that differed written"), "filled as one batch: \(run.stderr)")
            let table = Self.nftTable()
            #expect(table.contains("10.244.0.10 . 10.244.0.10"), "hairpin element: \(table)")
            #expect(table.contains("\(Self.nodeAddress) . tcp . 30080"), "NodePort element: \(table)")
            #expect(table.contains("\(Self.externalIP) . tcp . 80"), "external IP element: \(table)")
            #expect(!table.contains("30081"), "Local policy is not masqueraded: \(table)")

            let hairpinBefore = try Self.packets("hairpin") ?? -1
            #expect(
                try Self.ask(from: "pod-0", "10.96.5.10") == "pod-0", "hairpin: \(Self.nftTable())\n\(ProxyLab.table())"
            )
            #expect(try Self.packets("hairpin") ?? -1 > hairpinBefore, "the hairpin rule matched")

            let outsideBefore = try Self.packets("from outside the cluster") ?? -1
            #expect(try Self.ask(from: "pod-1", "10.96.5.10") == "pod-0", "pod to cluster IP")
            #expect(try Self.packets("from outside the cluster") == outsideBefore, "a pod's connection is left alone")

            // NodePorts and external IPs (policy Cluster) are masqueraded whoever the client is, as kube-proxy's
            // KUBE-NODE-PORT and KUBE-EXTERNAL-IP rules do.
            let alwaysBefore = try Self.packets("always") ?? -1
            #expect(try Self.ask(from: Self.outside, Self.nodeAddress, port: 30080) == "pod-0", "outside → NodePort")
            #expect(try Self.ask(from: Self.outside, Self.externalIP) == "pod-0", "outside → external IP")
            let node = try HTTPConnection(ipv4: Self.nodeAddress, port: 30080).get()
            #expect(node.trimmingCharacters(in: .whitespacesAndNewlines) == "pod-0", "node → NodePort")
            #expect(try Self.packets("always") ?? -1 >= alwaysBefore + 3, "\(Self.nftTable())")
            let fromNode = try HTTPConnection(ipv4: "10.96.5.11", port: 80).get()
            #expect(fromNode.trimmingCharacters(in: .whitespacesAndNewlines) == "pod-0", "node → cluster IP")
            #expect(try Self.packets("from outside the cluster") ?? -1 > outsideBefore, "\(Self.nftTable())")

            // The control: Local keeps the client's address, so pod-0's reply goes to the blackhole.
            #expect(try Self.ask(from: Self.outside, Self.nodeAddress, port: 30081) == nil, "Local is not masqueraded")

            let cleanup = try LabShell.run(binary, ["run", "--cleanup", "--interface", ProxyLab.interface])
            #expect(cleanup.status == 0, "\(cleanup.stderr)")
            #expect(
                try LabShell.run("nft", ["list", "table", "inet", "ipvs-proxy"]).status != 0,
                "--cleanup removes the table")
        }
    }

    @Test func aRunningProxyWritesOnlyChangedElementsAndRewritesATableDeletedBehindItsBack() async throws {
        let directory = try ProxyLab.manifestsDirectory()
        defer { ProxyLab.cleanup() }
        try ProxyLab.write(ProxyLab.webService("self", vip: "10.96.5.20", pods: [0]), to: directory, as: "self.yaml")
        let proxy = try ProxyProcess(
            arguments: ProxyLab.arguments(directory, ["--cluster-cidr", "10.244.0.0/16", "--sync-period", "3s"]))
        defer { _ = proxy.stop() }
        // The emulated guest takes tens of seconds to start a proxy when other labs share the host.
        let written = try await ProxyLab.eventually(90) { Self.nftTable().contains("10.244.0.10 . 10.244.0.10") }
        #expect(written, "\(proxy.output)")

        try ProxyLab.write(ProxyLab.webService("self", vip: "10.96.5.20", pods: [1]), to: directory, as: "self.yaml")
        let updated = try await ProxyLab.eventually(60) {
            let table = Self.nftTable()
            return table.contains("10.244.0.11 . 10.244.0.11") && !table.contains("10.244.0.10 . 10.244.0.10")
        }
        #expect(updated, "\(Self.nftTable())\n\(proxy.output)")
        #expect(
            proxy.output.contains("nftables sets updated"), "an endpoint change writes elements only: \(proxy.output)")
        // The table is created with empty sets before the first pass, which fills them: as one batch of elements
        // when they are few, as here, else by writing the whole table.
        let fills = ["nftables table written", "only the elements that differed written"].map {
            proxy.output.components(separatedBy: $0).count - 1
        }
        #expect(fills == [0, 1], "the sets were filled once, with the elements alone: \(proxy.output)")
        #expect(proxy.stop() == 0)
        #expect(Self.nftTable().contains("10.96.5.20 . tcp . 80"), "SIGTERM leaves the table as it is")

        // A restart with the objects as that run left them (its last write an element change) writes nothing.
        let restarted = try ProxyProcess(
            arguments: ProxyLab.arguments(directory, ["--cluster-cidr", "10.244.0.0/16", "--sync-period", "3s"]))
        defer { _ = restarted.stop() }
        let kept = try await ProxyLab.eventually(90) { restarted.output.contains("nftables table already in place") }
        #expect(kept, "\(restarted.output)")

        try #require(try LabShell.run("nft", ["delete", "table", "inet", "ipvs-proxy"]).status == 0)
        let back = try await ProxyLab.eventually(60) { Self.nftTable().contains("10.244.0.11 . 10.244.0.11") }
        #expect(back, "the periodic full pass rewrites the table: \(restarted.output)")
        #expect(restarted.output.contains("nftables table written"), "whole: \(restarted.output)")
        #expect(restarted.stop() == 0)
    }
}
