import Foundation
import IPVS
import Testing

/// The proxy end to end against the real kernel, with real traffic through the fixture pods.
@Suite(.serialized, Lab.only) struct ProxyLabTests {
    @Test func roundRobinSpreadsEvenlyAndARestartWritesNothingNorDropsAConnection() async throws {
        try await ProxyLab.withPods {
            let directory = try ProxyLab.manifestsDirectory()
            try ProxyLab.write(ProxyLab.webService("web", vip: "10.96.1.10", pods: [0, 1, 2]), to: directory, as: "web.yaml")
            let first = try ProxyLab.runOnce(directory)
            let firstSync = first.split(separator: "\n").first { $0.contains("full sync") }.map(String.init) ?? ""
            #expect(firstSync.split(separator: " ").contains("operations=4"), "1 virtual server, 3 real servers: \(first)")

            // `status` with the same source names each line: the Service port, and each real server's Pod.
            let named = try LabShell.run(
                try PodsLabTests.ipvsProxyBinary(),
                ["status", "--manifests", directory.path, "--interface", ProxyLab.interface, "--hostname-override", "lab"])
            let line = named.stdout.split(separator: "\n").first { $0.hasPrefix("TCP  10.96.1.10:80 ") }
            #expect(line?.hasSuffix("  lab/web:http") == true, "\(named.stdout)\n\(named.stderr)")
            let pods = named.stdout.split(separator: "\n").filter { $0.contains("-> 10.244.0.1") }.map {
                String($0.split(separator: " ").last ?? "")
            }
            #expect(pods.sorted() == ["pod-0", "pod-1", "pod-2"], "\(named.stdout)")

            var answers: [String: Int] = [:]
            for _ in 0..<30 { answers[try ProxyLab.ask("10.96.1.10"), default: 0] += 1 }
            #expect(answers == ["pod-0": 10, "pod-1": 10, "pod-2": 10])

            let held = try HTTPConnection(ipv4: "10.96.1.10", port: 80)
            let pod = try held.get()
            let before = try ProxyLab.kernel("10.96.1.10")?.server
            let (second, writes) = try ProxyLab.runOnceTraced(directory)
            let sync = second.split(separator: "\n").first { $0.contains("full sync") }.map(String.init) ?? ""
            let fields = Set(sync.split(separator: " ").map(String.init))
            #expect(fields.isSuperset(of: ["operations=0", "bind=0", "unbind=0"]), "a restart writes nothing: \(second)")
            // Counted independently from what it sent (strace): no IPVS, rtnetlink or nftables request that writes
            // (the nftables table found carries the mark of the one to write, so it is kept).
            #expect(writes.ipvs == 0 && writes.route == 0 && writes.nftablesTransactions == 0, "\(writes)")
            #expect(second.contains("nftables table already in place"), "\(second)")
            #expect(try ProxyLab.kernel("10.96.1.10")?.server == before)
            #expect(try held.get() == pod, "the connection open across the restart still answers")
        }
    }

    @Test func clientIPAffinityKeepsOneClientOnOnePod() async throws {
        try await ProxyLab.withPods {
            let directory = try ProxyLab.manifestsDirectory()
            let service = ProxyLab.webService("sticky", vip: "10.96.1.11", pods: [0, 1, 2], affinity: "ClientIP")
            try ProxyLab.write(service, to: directory, as: "sticky.yaml")
            _ = try ProxyLab.runOnce(directory)
            let persistence = try ProxyLab.kernel("10.96.1.11")?.server.persistence
            #expect(persistence?.timeout == 10800)
            var pods = Set<String>()
            for _ in 0..<12 { pods.insert(try ProxyLab.ask("10.96.1.11")) }
            #expect(pods.count == 1, "one client, one pod: \(pods)")
        }
    }

    @Test func editsAndDeletesOfManifestFilesReachTheKernelAndSIGTERMLeavesItAsIs() async throws {
        try await ProxyLab.withPods {
            let directory = try ProxyLab.manifestsDirectory()
            try ProxyLab.write(ProxyLab.webService("web", vip: "10.96.1.12", pods: [0, 1, 2]), to: directory, as: "web.yaml")
            try ProxyLab.write(ProxyLab.webService("api", vip: "10.96.1.13", pods: [0]), to: directory, as: "api.yaml")
            let proxy = try ProxyProcess(arguments: ProxyLab.arguments(directory, ["--graceful-period", "2s"]))
            #expect(try await ProxyLab.eventually { try ProxyLab.peer("10.96.1.12")?.count == 3 }, "\(proxy.output)")

            try ProxyLab.write(ProxyLab.webService("web", vip: "10.96.1.12", pods: [0, 2]), to: directory, as: "web.yaml")
            // Polled by hand (not through `eventually`) to keep a timestamped trace of every read.
            var trace: [String] = []
            var scaled = false
            let deadline = ContinuousClock.now + .seconds(180)
            while !scaled && ContinuousClock.now < deadline {
                let seen = try ProxyLab.peer("10.96.1.12")
                trace.append("\(Date().timeIntervalSince1970) ipvsadm=\(seen ?? [])")
                scaled = seen == ["10.244.0.10=1", "10.244.0.12=1"]
                if !scaled { try await Task.sleep(for: .milliseconds(200)) }
            }
            // This project's read and ipvsadm's agree once both have settled (each read is one instant: compare
            // several, and print them all if they never agree).
            var agree = false
            var disagreements = 0
            for _ in 0..<50 where !agree {
                let ours = try ProxyLab.kernel("10.96.1.12")?.realServers.map { "\($0.server.address)=\($0.server.weight)" }
                let theirs = try ProxyLab.peer("10.96.1.12")
                trace.append("\(Date().timeIntervalSince1970) ours=\(ours?.sorted() ?? []) ipvsadm=\(theirs ?? [])")
                agree = ours?.sorted() == theirs
                if !agree {
                    disagreements += 1
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            if disagreements > 0 {
                print("DIAG reads:\n\(trace.suffix(12).joined(separator: "\n"))\n\(proxy.output)")
            }
            #expect(agree, "this project's read agrees with ipvsadm: \(trace.suffix(8))\n\(ProxyLab.table())\n\(proxy.output)")
            #expect(scaled, "an endpoint removed from the file leaves the kernel: \(ProxyLab.table())\n\(proxy.output)")
            var answers = Set<String>()
            for _ in 0..<6 { answers.insert(try ProxyLab.ask("10.96.1.12")) }
            #expect(answers == ["pod-0", "pod-2"], "\(ProxyLab.table())\n\(proxy.output)")

            try FileManager.default.removeItem(at: directory.appendingPathComponent("api.yaml"))
            #expect(try await ProxyLab.eventually { try ProxyLab.peer("10.96.1.13") == nil }, "\(proxy.output)")
            let addresses = try LabShell.run("ip", ["-br", "addr", "show", "dev", ProxyLab.interface]).stdout
            #expect(!addresses.contains("10.96.1.13") && addresses.contains("10.96.1.12"), "\(addresses)")

            #expect(proxy.stop() == 0)
            #expect(try ProxyLab.peer("10.96.1.12")?.count == 2, "SIGTERM leaves the kernel as it is")
        }
    }

    @Test
    func aConnectionToARemovedEndpointStaysAliveWhileItDrains() async throws {
        try await ProxyLab.withPods {
            let directory = try ProxyLab.manifestsDirectory()
            try ProxyLab.write(ProxyLab.webService("web", vip: "10.96.1.14", pods: [0]), to: directory, as: "web.yaml")
            // A grace period far longer than the test: on a starved guest a minute can pass between the drain and
            // the test's next look, and a deletion at the deadline (which resets the held connection, as it should)
            // would then look like a failure of draining.
            let proxy = try ProxyProcess(arguments: ProxyLab.arguments(directory, ["--graceful-period", "15m"]))
            #expect(try await ProxyLab.eventually { try ProxyLab.peer("10.96.1.14")?.count == 1 })
            // What the kernel holds, for a failure: IPVS's connections, conntrack's flows, the nftables table.
            func diag(_ tag: String) -> String {
                var text = "== \(tag)\n"
                for (tool, arguments) in [
                    ("ipvsadm", ["-Lnc"]), ("ipvsadm", ["-Ln", "--stats"]), ("conntrack", ["-L"]),
                    ("nft", ["list", "ruleset"]),
                ] {
                    let out = try? LabShell.run(tool, arguments)
                    text += "-- \(tool) \(arguments)\n\(out?.stdout ?? "")\(out?.stderr ?? "")\n"
                }
                return text
            }
            let held = try HTTPConnection(ipv4: "10.96.1.14", port: 80)
            #expect(try held.get() == "pod-0\n")

            try ProxyLab.write(ProxyLab.webService("web", vip: "10.96.1.14", pods: [1]), to: directory, as: "web.yaml")
            let drained = try await ProxyLab.eventually {
                try ProxyLab.peer("10.96.1.14") == ["10.244.0.10=0", "10.244.0.11=1"]
            }
            #expect(drained, "the removed endpoint is drained (weight 0), not deleted: \(ProxyLab.table())\n\(proxy.output)")
            do {
                #expect(try held.get() == "pod-0\n", "the open connection still reaches its pod")
                let answer = try ProxyLab.ask("10.96.1.14")
                #expect(answer == "pod-1", "new connections go to the new endpoint: \(ProxyLab.table())\n\(proxy.output)")
            } catch {
                Issue.record("\(error)\n\(diag("after failure"))\n\(proxy.output)")
            }
            #expect(proxy.stop() == 0)
        }
    }
}
