import Foundation
import Logging
import Values

/// The pods fixture: backend "pods" (network namespaces on a node bridge) each running a ``PodServer``.
///
/// ```swift
/// var options = PodNetworkOptions(count: 3)
/// try options.addDelay("pod-1=exp:50ms")
/// var pods = try await PodNetwork.up(options, executable: "/path/to/ipvs-bench", logger: logger)
/// for pod in pods.layout.pods { print(pod.name, pod.address) }     // pod-0 10.244.0.10 ...
/// try await pods.stop("pod-1")      // connections to pod-1 are refused
/// try await pods.start("pod-1")     // and answered again
/// try await pods.pause("pod-2")     // pod-2 accepts but never answers
/// try await pods.resume("pod-2")
/// try await pods.setDelay("pod-0", .exponential(mean: .milliseconds(200)))   // pod-0 slows down midway
/// try await pods.down()             // removes the namespaces, veths and bridge it made
/// ```
///
/// Every step is recorded in a state file under the run directory, so another process can `attach` and take it
/// down. Needs root (CAP_NET_ADMIN) and iproute2's `ip`.
public struct PodNetwork: Sendable {
    /// The fixture's layout: bridge, pods, addresses, files.
    public var layout: PodNetworkLayout { state.layout }

    var state: PodNetworkState
    let logger: Logger
    let runner = CommandRunner()

    private init(state: PodNetworkState, logger: Logger) {
        self.state = state
        self.logger = logger
    }

    /// The fixture that a state file in `runDirectory` describes (made by `up`, perhaps in another process).
    public static func attach(
        runDirectory: String = PodNetworkOptions().runDirectory, logger: Logger
    ) throws(PodsError) -> PodNetwork {
        PodNetwork(state: try PodNetworkState.load(runDirectory: runDirectory), logger: logger)
    }

    /// Builds the fixture and returns once every pod answers HTTP. `executable` is a binary with the
    /// `pods serve` subcommand (this project's `ipvs-bench`). On failure, whatever was made is removed again.
    public static func up(
        _ options: PodNetworkOptions, executable: String, logger: Logger
    ) async throws(PodsError) -> PodNetwork {
        let layout = try PodNetworkLayout(options)
        guard !FileManager.default.fileExists(atPath: layout.stateFile) else {
            throw PodsError(
                .alreadyUp, "the pods fixture is already up (\(layout.stateFile) exists): run `ipvs-bench pods down` first")
        }
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw PodsError(.invalidArgument, "the server binary \(executable) is not an executable file")
        }
        let runner = CommandRunner()
        if runner.succeeds(["ip", "link", "show", "dev", layout.options.bridgeName]) {
            throw PodsError(
                .alreadyUp, "a link named like the fixture's bridge (\(layout.options.bridgeName)) exists and was not made by it")
        }
        if let taken = layout.pods.first(where: { Self.namespaceExists($0.namespace) }) {
            throw PodsError(.alreadyUp, "a network namespace named like a pod exists: \(taken.namespace)")
        }
        do {
            try FileManager.default.createDirectory(atPath: options.runDirectory, withIntermediateDirectories: true)
        } catch {
            throw PodsError(.file, "could not make the run directory \(options.runDirectory)", cause: error)
        }
        var network = PodNetwork(state: PodNetworkState(layout: layout, executable: executable), logger: logger)
        do {
            try await network.build()
        } catch {
            logger.error("pods fixture failed to come up, removing what it made", metadata: ["error": "\(error)"])
            try? await network.down()
            throw error
        }
        return network
    }

    private mutating func build() async throws(PodsError) {
        try state.save()
        state.previousIPForward = try Self.enableIPForwarding()
        try state.save()
        state.createdBridge = true
        try state.save()
        for command in layout.bridgeSetupCommands { try runner.run(command) }
        for pod in layout.pods {
            state.createdPods.append(pod.name)
            try state.save()
            for command in layout.podSetupCommands(pod) { try runner.run(command) }
        }
        let spawned = try layout.pods.map { pod throws(PodsError) in try spawnServer(pod) }
        for (pod, pid) in zip(layout.pods, spawned) {
            try await waitUntilServing(pod, spawnedPid: pid)
        }
        logger.info(
            "pods fixture up",
            metadata: [
                "bridge": "\(layout.options.bridgeName)", "pods": "\(layout.pods.map(\.name))",
                "cidr": "\(layout.options.cidr)",
            ])
    }

    /// Stops every server and removes what `up` made: pod namespaces (and so their veths), the bridge, the
    /// state and pid files; restores `net.ipv4.ip_forward`. Carries on past failures and throws the first; the
    /// state file then stays, so `down` can be run again.
    public func down() async throws(PodsError) {
        var firstError: PodsError?
        for pod in layout.pods where state.createdPods.contains(pod.name) {
            do { try await stop(pod.name) } catch { firstError = firstError ?? error }
            // The node end first: deleting it removes the pair at once, whereas a namespace's links go
            // asynchronously after `ip netns del`.
            let teardown = layout.podTeardownCommands(pod)
            if runner.succeeds(["ip", "link", "show", "dev", pod.hostInterface]) {
                do { try runner.run(teardown[0]) } catch { firstError = firstError ?? error }
            }
            if Self.namespaceExists(pod.namespace) {
                do { try runner.run(teardown[1]) } catch { firstError = firstError ?? error }
            }
            try? FileManager.default.removeItem(atPath: layout.pidFile(pod))
            try? FileManager.default.removeItem(atPath: layout.delayFile(pod))
            try? FileManager.default.removeItem(atPath: layout.delayFile(pod) + ".applied")
        }
        if state.createdBridge, runner.succeeds(["ip", "link", "show", "dev", layout.options.bridgeName]) {
            for command in layout.bridgeTeardownCommands {
                do { try runner.run(command) } catch { firstError = firstError ?? error }
            }
        }
        if let previous = state.previousIPForward {
            do { try Self.writeIPForward(previous) } catch { firstError = firstError ?? error }
        }
        // On failure the state file stays, so that `down` can be run again; it skips what is already gone.
        if let firstError { throw firstError }
        try? FileManager.default.removeItem(atPath: layout.stateFile)
        logger.info("pods fixture down", metadata: ["bridge": "\(layout.options.bridgeName)"])
    }

    static func namespaceExists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: "/run/netns/\(name)")
    }

    private static let ipForwardPath = "/proc/sys/net/ipv4/ip_forward"

    /// Turns IPv4 forwarding on; returns the previous value if it was off (so `down` can restore it).
    private static func enableIPForwarding() throws(PodsError) -> String? {
        let current = (try? String(contentsOfFile: ipForwardPath, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard current != "1" else { return nil }
        try writeIPForward("1")
        return current ?? "0"
    }

    private static func writeIPForward(_ value: String) throws(PodsError) {
        do {
            try Data((value + "\n").utf8).write(to: URL(fileURLWithPath: ipForwardPath))
        } catch {
            throw PodsError(.file, "could not set net.ipv4.ip_forward=\(value)", cause: error)
        }
    }
}
