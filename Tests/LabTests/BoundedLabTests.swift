import Foundation
import Testing

/// Bounded everything (issue 12), against the real kernel: on a kernel without nf_tables (nor nfnetlink),
/// libnftables ends the whole process ("Unable to initialize Netlink socket", exit status 3) when asked to apply
/// anything; the proxy opens such a socket first and reports the failure instead. A 2,000-Service `--once` sync must
/// still program IPVS, report that masquerading failed, and exit 0. (When the proxy ran the `nft` binary, the same
/// kernel made `nft` exit without reading its input, and before SIGPIPE was ignored that write killed the proxy.)
@Suite(.serialized, Lab.only) struct BoundedLabTests {
    static let services = 2_000
    /// The nftables modules the lab loads, users first, so they can be unloaded in this order.
    static let nftModules = [
        "nft_masq", "nft_chain_nat", "nft_nat", "nft_ct", "nft_fib_inet", "nft_fib_ipv4", "nft_fib_ipv6", "nft_fib",
        "nf_tables", "nfnetlink",
    ]

    /// Service i on 10.97.(i / 250).(i % 250 + 1), each with one endpoint.
    static func manifests(count: Int) -> String {
        (0..<count).map { index in
            let vip = "10.97.\(index / 250).\(index % 250 + 1)"
            return """
                apiVersion: v1
                kind: Service
                metadata: {name: svc-\(index), namespace: bounded}
                spec: {clusterIP: \(vip), ports: [{name: http, protocol: TCP, port: 80}]}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: svc-\(index)-1, namespace: bounded, labels: {kubernetes.io/service-name: svc-\(index)}}
                addressType: IPv4
                ports: [{name: http, protocol: TCP, port: 8080}]
                endpoints: [{addresses: ["10.244.\(1 + index / 250).\(index % 250 + 1)"]}]
                """
        }.joined(separator: "\n---\n")
    }

    /// Runs `body` on a kernel without nf_tables: the modules (nfnetlink too) unloaded, and the kernel's on-demand module loading
    /// pointed at nothing, so `nft` cannot bring them back. Both are restored afterwards.
    static func withoutNFTables<T>(_ body: () throws -> T) throws -> T {
        let modprobe = URL(fileURLWithPath: "/proc/sys/kernel/modprobe")
        let saved = try String(contentsOf: modprobe, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try LabShell.run("nft", ["flush", "ruleset"])
        try "/nonexistent/modprobe\n".write(to: modprobe, atomically: false, encoding: .utf8)
        // Every module that uses nf_tables or nfnetlink, however it came to be loaded (the proxy's VIP filter and
        // conntrack cleanup bring in more than `nftModules`), is unloaded users first, and all are loaded again after.
        var removed: [String] = []
        defer {
            try? "\(saved)\n".write(to: modprobe, atomically: false, encoding: .utf8)
            for module in (nftModules + removed).reversed() { _ = try? LabShell.run("modprobe", [module]) }
        }
        for _ in 0..<10 {
            let users = try Self.users(of: ["nf_tables", "nfnetlink"])
            if users.isEmpty { break }
            for module in users where try LabShell.run("rmmod", [module]).status == 0 { removed.append(module) }
        }
        let loaded = try String(contentsOfFile: "/proc/modules", encoding: .utf8)
        #expect(!loaded.split(separator: "\n").contains { $0.hasPrefix("nf_tables ") }, "nf_tables is loaded: \(loaded)")
        let nft = try LabShell.run("nft", ["list", "ruleset"])
        #expect(nft.status != 0, "nft still works: \(nft.stdout)")
        return try body()
    }

    /// The loaded modules that are `roots` or use them, directly or through others, leaves (unused ones) first.
    static func users(of roots: Set<String>) throws -> [String] {
        var usedBy: [String: [String]] = [:]
        var useCount: [String: Int] = [:]
        for line in try String(contentsOfFile: "/proc/modules", encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count > 3 else { continue }
            useCount[fields[0]] = Int(fields[2]) ?? 0
            usedBy[fields[0]] = fields[3].split(separator: ",").map(String.init).filter { $0 != "-" }
        }
        var found = roots.filter { usedBy[$0] != nil }
        var queue = Array(found)
        while let module = queue.popLast() {
            for user in usedBy[module] ?? [] where !found.contains(user) {
                found.insert(user)
                queue.append(user)
            }
        }
        return found.sorted { (useCount[$0] ?? 0, $0) < (useCount[$1] ?? 0, $1) }
    }

    /// Virtual servers on the suite's VIPs, as `ipvsadm -Ln` lists them.
    static func virtualServers() throws -> Int {
        try LabShell.run("ipvsadm", ["-Ln"]).stdout.split(separator: "\n").filter {
            $0.hasPrefix("TCP  10.97.")
        }.count
    }

    @Test func aLargeOnceSyncWithoutNFTablesProgramsIPVSAndReportsTheMasqueradingFailure() throws {
        try LabShell.prepareNetwork()
        ProxyLab.cleanup()
        defer { ProxyLab.cleanup() }
        let directory = try ProxyLab.manifestsDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try ProxyLab.write(Self.manifests(count: Self.services), to: directory, as: "services.yaml")
        // The log goes to a file: 2,000 Services log more than a pipe holds while the test reads the other one.
        let log = directory.appendingPathComponent("proxy.log").path
        let command = ([try PodsLabTests.ipvsProxyBinary()] + ProxyLab.arguments(directory, ["--once"]))
            .map { "'\($0)'" }.joined(separator: " ")
        let run = try Self.withoutNFTables { try LabShell.run("sh", ["-c", "\(command) 2>'\(log)'"]) }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? "(no log)"
        let tail = String(output.suffix(3000))
        #expect(run.status == 0, "exit status \(run.status): \(tail)")
        #expect(try Self.virtualServers() == Self.services, "\(tail)")
        #expect(output.contains("could not write the masquerading rules"), "\(tail)")
        #expect(output.contains("synced once"), "\(tail)")
    }
}
