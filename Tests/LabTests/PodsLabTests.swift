import Foundation
import Logging
import Pods
import Testing

/// The pods fixture for real: namespaces, veths, a bridge and one server process per pod, reached from the node.
@Suite(.serialized, Lab.only) struct PodsLabTests {
    private static let logger = Logger(label: "pods-lab-test")
    private static let probe = PodProbe(timeout: .seconds(3))

    /// The `ipvs-proxy` binary built next to this test bundle (`.build/debug/ipvs-proxy`).
    static func ipvsProxyBinary() throws -> String { try binary("ipvs-proxy") }

    /// The `ipvs-bench` binary built next to this test bundle: the one with `pods` (and `pods serve`) and `bench`.
    static func ipvsBenchBinary() throws -> String { try binary("ipvs-bench") }

    private static func binary(_ name: String) throws -> String {
        let bundle = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        let binary = bundle.deletingLastPathComponent().appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw PodsError(
                .invalidArgument, "the \(name) binary is not next to the test bundle (\(binary)): run `swift build` first")
        }
        return binary
    }

    private func expectAnswers(_ pod: PodSpec, sourceLocation: SourceLocation = #_sourceLocation) async {
        let host = "\(pod.address)"
        let http = await Self.probe.http(host: host, port: pod.httpPort, requests: 2)
        #expect(http.value?.map(\.body) == ["\(pod.name)\n", "\(pod.name)\n"], sourceLocation: sourceLocation)
        #expect(http.value?.map(\.requestOnConnection) == [1, 2], sourceLocation: sourceLocation)
        #expect(
            await Self.probe.tcpEcho(host: host, port: pod.echoPort, payload: "tcp \(pod.name)")
                == .answered("tcp \(pod.name)"), sourceLocation: sourceLocation)
        #expect(
            await Self.probe.udpEcho(host: host, port: pod.echoPort, payload: "udp \(pod.name)")
                == .answered("udp \(pod.name)"), sourceLocation: sourceLocation)
    }

    private func expectNothingLeft(_ layout: PodNetworkLayout, sourceLocation: SourceLocation = #_sourceLocation) {
        let runner = CommandRunner()
        #expect(
            !runner.succeeds(["ip", "link", "show", "dev", layout.options.bridgeName]), sourceLocation: sourceLocation)
        for pod in layout.pods {
            #expect(
                !FileManager.default.fileExists(atPath: "/run/netns/\(pod.namespace)"), sourceLocation: sourceLocation)
            #expect(!runner.succeeds(["ip", "link", "show", "dev", pod.hostInterface]), sourceLocation: sourceLocation)
        }
        #expect(!FileManager.default.fileExists(atPath: layout.stateFile), sourceLocation: sourceLocation)
    }

    @Test func everyPodAnswersAndCanBeStoppedPausedAndTakenDown() async throws {
        var options = PodNetworkOptions(count: 3, runDirectory: "/run/ipvs-proxy-pods-lab")
        try options.addDelay("pod-0=20ms")
        let network = try await PodNetwork.up(options, executable: try Self.ipvsBenchBinary(), logger: Self.logger)
        do {
            try await exercise(network)
        } catch {
            try? await network.down()
            throw error
        }
        try await network.down()
        expectNothingLeft(network.layout)
    }

    private func exercise(_ network: PodNetwork) async throws {
        #expect(try String(contentsOfFile: "/proc/sys/net/ipv4/ip_forward", encoding: .utf8) == "1\n")
        for pod in network.layout.pods { await expectAnswers(pod) }
        #expect(network.status().map(\.server) == [.running, .running, .running])

        let stopped = network.layout.pods[1]
        try await network.stop(stopped.name)
        #expect(await Self.probe.http(host: "\(stopped.address)", port: stopped.httpPort) == .refused)
        #expect(await Self.probe.tcpEcho(host: "\(stopped.address)", port: stopped.echoPort) == .refused)
        #expect(await Self.probe.udpEcho(host: "\(stopped.address)", port: stopped.echoPort) == .refused)
        #expect(network.status().map(\.server) == [.running, .stopped, .running])
        await expectAnswers(network.layout.pods[0])
        try await network.start(stopped.name)
        await expectAnswers(stopped)

        let paused = network.layout.pods[2]
        try await network.pause(paused.name)
        #expect(network.status().map(\.server) == [.running, .running, .paused])
        let silent = PodProbe(timeout: .seconds(2))
        #expect(await silent.http(host: "\(paused.address)", port: paused.httpPort) == .timedOut)
        #expect(await silent.udpEcho(host: "\(paused.address)", port: paused.echoPort) == .timedOut)
        try await network.resume(paused.name)
        await expectAnswers(paused)

        // Slowing down midway: the running server takes the new delay at once (a lower bound, not a speed test).
        var slowed = network
        try await slowed.setDelay("pod-0", .constant(.milliseconds(400)))
        let clock = ContinuousClock()
        let started = clock.now
        let slow = await PodProbe(timeout: .seconds(20)).http(host: "\(network.layout.pods[0].address)", port: 80)
        #expect(slow.value?.first?.body == "pod-0\n")
        #expect(clock.now - started >= .milliseconds(400))
        #expect(slowed.status().first?.spec.delay == .constant(.milliseconds(400)))
    }

    /// A fixture whose servers cannot start fails with the reason, and removes what it had made.
    @Test func failedUpLeavesNothing() async throws {
        let options = PodNetworkOptions(count: 2, bridgeName: "ipvslabfail", runDirectory: "/run/ipvs-proxy-pods-fail")
        let layout = try PodNetworkLayout(options)
        await #expect {
            _ = try await PodNetwork.up(options, executable: "/bin/false", logger: Self.logger)
        } throws: { error in
            (error as? PodsError)?.code == .serverNotReady
        }
        expectNothingLeft(layout)
    }

    /// The CLI, one process per step, as the demo and a person use it: state passes through the state file.
    @Test func commandLineUpListStopDown() throws {
        let binary = try Self.ipvsBenchBinary()
        let runner = CommandRunner()
        let runDirectory = ["--run-dir", "/run/ipvs-proxy-pods-cli"]
        try runner.run(
            [binary, "pods", "up", "--count", "2", "--cidr", "10.250.0.0/24", "--bridge", "ipvslabcli"]
                + runDirectory)
        do {
            try runner.run([binary, "pods", "stop", "pod-1"] + runDirectory)
            let listing = try runner.run([binary, "pods", "list"] + runDirectory).split(separator: "\n")
            #expect(listing.count == 3)
            #expect(
                listing.dropFirst().map { $0.split(separator: " ").prefix(5).joined(separator: " ") } == [
                    "pod-0 10.250.0.10 80 7 running", "pod-1 10.250.0.11 80 7 stopped",
                ])
            #expect(throws: PodsError.self) { try runner.run([binary, "pods", "stop", "pod-9"] + runDirectory) }
        } catch {
            _ = try? runner.run([binary, "pods", "down"] + runDirectory)
            throw error
        }
        try runner.run([binary, "pods", "down"] + runDirectory)
        #expect(!runner.succeeds(["ip", "link", "show", "dev", "ipvslabcli"]))
        #expect(!FileManager.default.fileExists(atPath: "/run/netns/pod-0"))
        #expect(throws: PodsError.self) { try runner.run([binary, "pods", "down"] + runDirectory) }
    }
}
