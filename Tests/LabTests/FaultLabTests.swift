import Foundation
import Pods
import Testing

/// Faults against the real kernel (issue 16, item 4): the proxy killed with SIGKILL at random moments of a large
/// sync, and another program deleting the proxy's virtual and real servers behind its back.
@Suite(.serialized, Lab.only) struct FaultLabTests {
    /// The issue asks for 5,000 Services. A debug build in the emulated guest takes about ten minutes for the first
    /// sync of that many (556 s at load 14); each of the 20 killed restarts then starts, adopts the whole table and
    /// reads every manifest again before its pass. With 500, a restart reaches its full sync in 25-35 s and the whole
    /// test takes 11-12 minutes (664-728 s in the lab on 2026-12-02, beside another lab run); 1,000 would take twice
    /// that, more than CI's lab budget allows. `scripts/lab -- env FAULT_LAB_SERVICES=5000 TESTS...` runs the full size
    /// by hand.
    static let services = ProcessInfo.processInfo.environment["FAULT_LAB_SERVICES"].flatMap { Int($0) } ?? 500
    /// How many times a restart is killed (`FAULT_LAB_ROUNDS` by hand).
    static let rounds = ProcessInfo.processInfo.environment["FAULT_LAB_ROUNDS"].flatMap { Int($0) } ?? 20
    static let webVIP = "10.96.4.10"

    /// The large table: `BoundedLabTests`' Services, each endpoint on `port` (two versions, so that every restart
    /// has every real server to change).
    static func manifests(port: Int) -> String {
        BoundedLabTests.manifests(count: services).replacingOccurrences(of: "port: 8080", with: "port: \(port)")
    }

    /// What the kernel must hold for `manifests(port:)` on the suite's VIPs: "VIP:80 -> endpoint:port" lines.
    static func desired(port: Int) -> Set<String> {
        Set(
            (0..<services).map { index in
                "10.97.\(index / 250).\(index % 250 + 1):80 -> 10.244.\(1 + index / 250).\(index % 250 + 1):\(port)"
            })
    }

    /// The kernel's virtual servers on 10.97.0.0/16 with their real servers, as `desired` writes them; a virtual
    /// server without real servers appears as "VIP:80 -> none".
    static func actual() throws -> Set<String> {
        var lines = Set<String>()
        var current: String?
        var empty = false
        func close() { if let current, empty { lines.insert("\(current) -> none") } }
        for line in try LabShell.run("ipvsadm", ["-Ln"]).stdout.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.hasPrefix("TCP  ") {
                close()
                current = fields.count > 1 && fields[1].hasPrefix("10.97.") ? String(fields[1]) : nil
                empty = true
            } else if let vip = current, line.contains("->"), fields.count > 1, fields[1] != "RemoteAddress:Port" {
                lines.insert("\(vip) -> \(fields[1])")
                empty = false
            }
        }
        close()
        return lines
    }

    /// The addresses bound on the proxy's link.
    static func bound() throws -> Set<String> {
        Set(
            try LabShell.run("ip", ["-o", "-4", "addr", "show", "dev", ProxyLab.interface]).stdout.split(
                separator: "\n"
            )
            .compactMap { line in
                line.split(separator: " ", omittingEmptySubsequences: true).drop { $0 != "inet" }.dropFirst().first
                    .map { String($0.split(separator: "/")[0]) }
            })
    }

    static func fields(_ output: String, _ line: String) -> Set<String> {
        Set(
            (output.split(separator: "\n").first { $0.contains(line) } ?? "").split(separator: " ").map(String.init))
    }

    /// How long an uninterrupted run took to reach each stage, from its start.
    struct Timeline {
        /// The manifests were read ("manifests scanned"): the first pass follows.
        var scanned: Duration
        /// The first pass was applied and logged ("full sync").
        var fullSync: Duration
        /// The real servers that pass drained were deleted (a pass logged "draining=0").
        var drained: Duration
    }

    /// The stages of a run a kill is aimed at: a round's kill falls at a random moment after the stage's first log
    /// line, within the length the stage had in an uninterrupted run. Aiming from the run's own log lines, not from
    /// its start, keeps the kills inside each stage however slow this guest is at the time.
    enum Stage: CaseIterable {
        /// From the start: the process starting, adopting the table (a dump) and reading the manifests.
        case starting
        /// From "manifests scanned": the first pass, which replaces every real server, and its observers.
        case passing
        /// From "full sync": the pass was applied; the drained real servers are being deleted.
        case draining

        /// The log line the stage starts at; nil: the start.
        var marker: String? {
            switch self {
            case .starting: nil
            case .passing: "manifests scanned"
            case .draining: "full sync"
            }
        }

        /// How long the stage lasted in `timeline`.
        func length(_ timeline: Timeline) -> Duration {
            switch self {
            case .starting: timeline.scanned
            case .passing: timeline.fullSync - timeline.scanned
            case .draining: timeline.drained - timeline.fullSync
            }
        }
    }

    /// Runs the proxy on `directory` (asking for `port`) until it has written the whole table and deleted the real
    /// servers it drained, then kills it; returns when it reached each stage, and what it logged. Bounded by the
    /// log: a proxy that never gets there fails the test after `seconds`.
    static func syncWhole(_ directory: URL, port: Int, _ extra: [String], seconds: Double = 900) async throws
        -> (timeline: Timeline, output: String)
    {
        let started = ContinuousClock.now
        let proxy = try ProxyProcess(arguments: ProxyLab.arguments(directory, extra))
        defer {
            kill(proxy.process.processIdentifier, SIGKILL)
            proxy.process.waitUntilExit()
        }
        var scanned: Duration?
        var fullSync: Duration?
        // The last pass line says how many real servers are still draining: 0 once the old ones are deleted.
        let done = try await ProxyLab.eventually(seconds) {
            let output = proxy.output
            if scanned == nil, output.contains("manifests scanned") { scanned = ContinuousClock.now - started }
            if fullSync == nil, output.contains("full sync") { fullSync = ContinuousClock.now - started }
            let last = output.split(separator: "\n").last { $0.contains(" sync") && $0.contains("operations=") }
            return fullSync != nil && last?.contains("draining=0") == true
        }
        let drained = ContinuousClock.now - started
        #expect(done, "the proxy wrote the table and deleted what it drained: \(proxy.output.suffix(4_000))")
        #expect(try Self.actual() == Self.desired(port: port), "\(proxy.output.suffix(4_000))")
        let timeline = Timeline(
            scanned: scanned ?? drained, fullSync: max(fullSync ?? drained, scanned ?? drained), drained: drained)
        return (timeline, proxy.output)
    }

    @Test func twentyKillsDuringALargeSyncConvergeNeverBreakAHeldConnectionAndTheLastRestartWritesNothing()
        async throws
    {
        try await ProxyLab.withPods {
            let directory = try ProxyLab.manifestsDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try ProxyLab.write(
                ProxyLab.webService("web", vip: Self.webVIP, pods: [0, 1, 2]), to: directory, as: "web.yaml")
            _ = try ProxyLab.runOnce(directory)
            // A loaded guest can take seconds to answer: the held connection waits long, and fails only if broken.
            let held = try HTTPConnection(ipv4: Self.webVIP, port: 80, timeoutSeconds: 60)
            let pod = try held.get()
            let quiet = ["--healthz-bind-address", "", "--metrics-bind-address", "", "--log-level", "info"]

            // The whole table first, then an uninterrupted restart that changes every real server, as each killed
            // restart would: its stages' lengths set the range of the kill moments. (Kill moments drawn from the
            // cold first sync's length, measured from the start, all fell before a restart's first write: a
            // restart adopts the whole table first, and a loaded guest is slower from one minute to the next.)
            try ProxyLab.write(Self.manifests(port: 8080), to: directory, as: "services.yaml")
            let cold = try await Self.syncWhole(directory, port: 8080, quiet).timeline
            try ProxyLab.write(Self.manifests(port: 8081), to: directory, as: "services.yaml")
            let (restart, restartLog) = try await Self.syncWhole(directory, port: 8081, quiet)
            print("FaultLabTests: uninterrupted restart log:\n\(restartLog.suffix(3_000))")
            // The seed is printed so that a failing sequence of kill moments can be replayed.
            let seed =
                ProcessInfo.processInfo.environment["FAULT_LAB_SEED"].flatMap { UInt64($0) }
                ?? UInt64.random(in: 0...UInt64.max)
            print(
                "FaultLabTests: \(Self.services) Services; a cold sync took \(cold.fullSync); a restart read the "
                    + "manifests after \(restart.scanned), logged its full sync after \(restart.fullSync) and had "
                    + "deleted the drained real servers after \(restart.drained); seed \(seed)")
            var random = SeededRandomNumberGenerator(seed: seed)
            var port = 8081
            for round in 1...Self.rounds {
                // Every round asks for the other endpoint port, so each restart has the whole table to change; the
                // stages take turns, the first round's kill falling after a whole pass.
                port = round % 2 == 1 ? 8080 : 8081
                let stage = Stage.allCases[(round + 1) % Stage.allCases.count]
                try ProxyLab.write(Self.manifests(port: port), to: directory, as: "services.yaml")
                let proxy = try ProxyProcess(arguments: ProxyLab.arguments(directory, quiet))
                if let marker = stage.marker {
                    #expect(
                        try await ProxyLab.eventually(900) { proxy.output.contains(marker) },
                        "round \(round): the restart logged \"\(marker)\": \(proxy.output.suffix(4_000))")
                }
                let range = UInt64(max(1, stage.length(restart).components.seconds * 1000))
                let moment = Int(random.next() % range)
                try await Task.sleep(for: .milliseconds(moment))
                kill(proxy.process.processIdentifier, SIGKILL)
                proxy.process.waitUntilExit()
                let programmed = try Self.actual()
                let asked = programmed.intersection(Self.desired(port: port)).count
                print("FaultLabTests: round \(round) log:\n\(proxy.output.suffix(1_500))")
                print(
                    "FaultLabTests: round \(round): killed \(moment) ms into \(stage) with \(programmed.count) real "
                        + "servers, \(asked) of them as asked")
                if stage == .draining {
                    #expect(
                        asked == Self.services, "round \(round): a restart that logged its full sync wrote the table")
                }
                #expect(try held.get() == pod, "the held connection answers after kill \(round)")
            }

            // Converged: a proxy left to run writes the table as asked and deletes the real servers it drained (a
            // `--once` run stops after its first pass, with the old real servers drained but not yet deleted).
            let converged = try await Self.syncWhole(directory, port: port, quiet).output
            print("FaultLabTests: converging run log:\n\(converged.suffix(3_000))")
            let vips = Set((0..<Self.services).map { "10.97.\($0 / 250).\($0 % 250 + 1)" } + [Self.webVIP])
            #expect(try Self.bound() == vips)
            #expect(converged.contains("otherPrograms=0"), "every virtual server is still the proxy's: \(converged)")
            #expect(!converged.contains("heldByAnotherProgram"), "nothing it made is taken for another program's")

            let last = try ProxyLab.runOnce(directory)
            let sync = Self.fields(last, "full sync")
            #expect(
                sync.isSuperset(of: ["operations=0", "bind=0", "unbind=0"]), "the last restart writes nothing: \(last)")
            #expect(try held.get() == pod, "the held connection answers at the end")
        }
    }

    /// `ipvsadm` deletes a virtual server or a real server of the proxy's every second for a minute: each is
    /// repaired by a resync (every 3 s here), /healthz never says 503, and the table ends as asked.
    @Test func deletionsBehindTheProxysBackAreRepairedAndHealthStaysGood() async throws {
        try LabShell.prepareNetwork()
        ProxyLab.cleanup()
        defer { ProxyLab.cleanup() }
        let directory = try ProxyLab.manifestsDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let count = 20
        let text = (1...count).map { index in
            """
            apiVersion: v1
            kind: Service
            metadata: {name: svc-\(index), namespace: faults}
            spec: {clusterIP: 10.97.0.\(index), ports: [{name: http, protocol: TCP, port: 80}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: svc-\(index)-1, namespace: faults, labels: {kubernetes.io/service-name: svc-\(index)}}
            addressType: IPv4
            ports: [{name: http, protocol: TCP, port: 8080}]
            endpoints: [{addresses: ["10.244.1.\(index)"]}, {addresses: ["10.244.2.\(index)"]}]
            """
        }.joined(separator: "\n---\n")
        try ProxyLab.write(text, to: directory, as: "services.yaml")
        let proxy = try ProxyProcess(
            arguments: ProxyLab.arguments(
                directory,
                ["--sync-period", "3s", "--healthz-bind-address", "127.0.0.1:19356", "--metrics-bind-address", ""]))
        defer { _ = proxy.stop() }
        let desired = Set(
            (1...count).flatMap { index in
                ["10.244.1.\(index)", "10.244.2.\(index)"].map { "10.97.0.\(index):80 -> \($0):8080" }
            })
        #expect(try await ProxyLab.eventually { try Self.actual() == desired }, "\(proxy.output)")

        // Each second: one deletion, one /healthz answer, and a look at the table. A line missing from the table
        // is timed from the first look that missed it to the first that found it again.
        var missingSince: [String: ContinuousClock.Instant] = [:]
        var repairs: [Duration] = []
        var unhealthy: [Int] = []
        let start = ContinuousClock.now
        for second in 0..<60 {
            let index = Int.random(in: 1...count)
            let vip = "10.97.0.\(index):80"
            let arguments = second % 2 == 0 ? ["-D", "-t", vip] : ["-d", "-t", vip, "-r", "10.244.1.\(index):8080"]
            // A real server of a virtual server deleted a moment ago and not yet repaired is already gone: then
            // this second's fault is that the repair is still owed.
            _ = try LabShell.run("ipvsadm", arguments)
            let status = try HTTPConnection(ipv4: "127.0.0.1", port: 19356).get("/healthz").status
            if status != 200 { unhealthy.append(status) }
            let now = ContinuousClock.now
            let missing = desired.subtracting(try Self.actual())
            for line in missing where missingSince[line] == nil { missingSince[line] = now }
            for (line, since) in missingSince where !missing.contains(line) {
                repairs.append(now - since)
                missingSince[line] = nil
            }
            try await Task.sleep(until: start + .seconds(second + 1))
        }
        #expect(try await ProxyLab.eventually(30) { try Self.actual() == desired }, "\(proxy.output.suffix(4_000))")
        let end = ContinuousClock.now
        repairs += missingSince.values.map { end - $0 }
        let sorted = repairs.sorted()
        print(
            "FaultLabTests: \(repairs.count) repairs seen; longest \(sorted.last?.secondsText ?? "-"), median "
                + "\(sorted.isEmpty ? "-" : sorted[sorted.count / 2].secondsText) (looked at once a second)")
        #expect(unhealthy.isEmpty, "/healthz said \(unhealthy)")
        #expect(proxy.stop() == 0)
    }
}

extension FaultLabTests {
    /// The VIP link's addresses, and then the link itself, deleted behind the proxy's back: the next periodic
    /// resync re-reads the link in its first slice, makes the link again if it is gone and binds every VIP again.
    @Test func theLinkAndItsAddressesDeletedBehindTheProxysBackComeBackAtTheNextResync() async throws {
        try LabShell.prepareNetwork()
        ProxyLab.cleanup()
        defer { ProxyLab.cleanup() }
        let directory = try ProxyLab.manifestsDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let vip = "10.96.6.10"
        try ProxyLab.write(ProxyLab.webService("links", vip: vip, pods: [0]), to: directory, as: "links.yaml")
        let proxy = try ProxyProcess(
            arguments: ProxyLab.arguments(
                directory, ["--sync-period", "3s", "--healthz-bind-address", "", "--metrics-bind-address", ""]))
        defer { _ = proxy.stop() }
        let bound = { try LabShell.run("ip", ["-o", "addr", "show", "dev", ProxyLab.interface]).stdout.contains(vip) }
        #expect(try await ProxyLab.eventually(90, bound), "\(proxy.output)")

        try #require(try LabShell.run("ip", ["addr", "del", "\(vip)/32", "dev", ProxyLab.interface]).status == 0)
        #expect(try !bound(), "the address is gone")
        #expect(try await ProxyLab.eventually(30, bound), "bound again: \(proxy.output.suffix(4_000))")

        try #require(try LabShell.run("ip", ["link", "del", ProxyLab.interface]).status == 0)
        #expect(try !bound(), "the link is gone")
        #expect(try await ProxyLab.eventually(30, bound), "the link made again: \(proxy.output.suffix(4_000))")
        #expect(try ProxyLab.kernel(vip) != nil, "its virtual server is still there")
        #expect(proxy.stop() == 0)
    }
}

extension Duration {
    fileprivate var secondsText: String {
        let (seconds, attoseconds) = components
        return String(format: "%.2fs", Double(seconds) + Double(attoseconds) / 1e18)
    }
}
