import Values
import Foundation
import IPVS
import Logging
import Pods

/// Everything a run makes in the kernel, remembered so that ``tearDown()`` removes exactly that: the pods (with
/// their bridge and namespaces), the dummy link with the VIP and client addresses, the virtual server, and the
/// sysctls it changed.
final class BenchEnvironment {
    let options: BenchOptions
    let logger: Logger
    let kernel: IPVSNetlinkClient
    private let link: VIPInterface
    private let runner = CommandRunner()
    private(set) var pods: PodNetwork?
    private var createdLink = false
    private var changedSysctls: [(Sysctl<Bool>, Bool)] = []
    private(set) var virtualServer: VirtualServerKey?

    /// Opens the kernel interfaces; explains how to use the lab when the kernel has no IPVS.
    init(options: BenchOptions, logger: Logger) throws(BenchError) {
        self.options = options
        self.logger = logger
        do {
            kernel = try Self.openIPVS(logger: logger)
            link = try VIPInterface(name: options.linkName, logger: logger)
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError(.setup, "cannot open the kernel's netlink interfaces", cause: error)
        }
    }

    private static func openIPVS(logger: Logger) throws -> IPVSNetlinkClient {
        do {
            return try IPVSNetlinkClient(logger: logger)
        } catch let error as IPVSError where error.code == .familyMissing {
            _ = CommandRunner().succeeds(["modprobe", "ip_vs"])
            do {
                return try IPVSNetlinkClient(logger: logger)
            } catch {
                throw BenchError(
                    .noIPVS,
                    "this kernel has no IPVS (ip_vs is not loaded and cannot be). Run the benchmark in the kernel "
                        + "lab instead, from the repository: swift build && scripts/lab --rw \"$PWD/docs\" -- "
                        + ".build/debug/ipvs-bench bench manifests/bench/homogeneous.yaml --output-dir docs/bench",
                    cause: error)
            }
        }
    }

    /// Makes the pods (the scenario's, plus a reference pod that answers at once for the ceiling), the link, the
    /// VIP and the client addresses, and sets the sysctls IPVS masquerading needs.
    func setUp(_ scenario: BenchScenario) async throws(BenchError) {
        do {
            for sysctl in [Sysctls.conntrack, Sysctls.expireNodestConn] {
                let previous = try sysctl.read()
                if try sysctl.ensure(true) { changedSysctls.append((sysctl, previous)) }
            }
        } catch {
            throw BenchError(.setup, "cannot set the IPVS sysctls", cause: error)
        }
        let podOptions = PodNetworkOptions(
            count: scenario.pods.count + 1, cidr: options.podCIDR, bridgeName: options.bridgeName,
            runDirectory: options.runDirectory)
        if let leftover = try? PodNetwork.attach(runDirectory: options.runDirectory, logger: logger) {
            logger.notice("taking down pods left by an earlier bench run", metadata: ["dir": "\(options.runDirectory)"])
            try? await leftover.down()
        }
        do {
            pods = try await PodNetwork.up(podOptions, executable: options.executable, logger: logger)
        } catch {
            throw BenchError(.setup, "cannot bring the pods up", cause: error)
        }
        // The delays are set once the pods answer: `up` waits for an answer within a second, which a pod with a
        // longer delay would never give.
        if var network = pods {
            do {
                for (index, pod) in scenario.pods.enumerated() where pod.delay != .none {
                    try await network.setDelay(BenchScenario.podName(index), pod.delay)
                }
            } catch {
                throw BenchError(.setup, "cannot set the pods' delays", cause: error)
            }
            pods = network
        }
        do {
            createdLink = true  // The link's name is the benchmark's own: a leftover from a killed run goes too.
            try link.ensureLink()
            try link.add(options.vip)
            for client in try clientAddresses(scenario.clientAddresses) { try link.add(client) }
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError(.setup, "cannot set up link \(options.linkName) with the VIP", cause: error)
        }
    }

    /// The client source addresses of a scenario.
    func clientAddresses(_ count: Int) throws(BenchError) -> [IPAddress] {
        try (1...max(count, 1)).map { index throws(BenchError) in
            guard let address = options.clientNetwork.host(UInt64(index)) else {
                throw BenchError(.setup, "\(count) client addresses do not fit in \(options.clientNetwork)")
            }
            return address
        }
    }

    /// The pods' layout (after ``setUp(_:)``).
    var layout: PodNetworkLayout? { pods?.layout }

    /// Creates the virtual server with `scheduler` on `port`, with the scenario's pods as masquerading real servers.
    func createVirtualServer(
        _ scenario: BenchScenario, scheduler: Scheduler, port: UInt16
    ) throws(BenchError) -> VirtualServerKey {
        guard let layout else { throw BenchError(.setup, "the pods are not up") }
        let key = VirtualServerKey.service(.tcp, options.vip, port: port)
        let persistence = scenario.persistence.map { Persistence(timeout: UInt32(max($0.secondsAsDouble.rounded(), 1))) }
        var operations: [IPVSOperation] = [
            .addVirtualServer(VirtualServer(key: key, scheduler: scheduler, persistence: persistence))
        ]
        for (index, pod) in scenario.pods.enumerated() {
            let spec = layout.pods[index]
            let real = RealServer(address: spec.address, port: UInt16(spec.httpPort), weight: pod.weight)
            operations.append(.addRealServer(real, to: key))
        }
        virtualServer = key
        for result in kernel.apply(operations) {
            if case .failure(let error) = result {
                throw BenchError(
                    .setup, "cannot create the virtual server \(key) with scheduler \(scheduler)",
                    cause: error)
            }
        }
        return key
    }

    /// Deletes the virtual server made by ``createVirtualServer(_:scheduler:port:)``, if any.
    func deleteVirtualServer() {
        guard let key = virtualServer else { return }
        do {
            try kernel.delete(key)
        } catch let error as IPVSError where error.code == .notFound {
        } catch {
            logger.warning("could not delete the bench virtual server", metadata: ["error": "\(error)"])
        }
        virtualServer = nil
    }

    /// Removes everything the run made; carries on past failures and reports the first.
    func tearDown() async -> BenchError? {
        var first: BenchError?
        deleteVirtualServer()
        if createdLink, runner.succeeds(["ip", "link", "show", "dev", options.linkName]) {
            do { _ = try runner.run(["ip", "link", "del", options.linkName]) } catch {
                first = first ?? BenchError(.setup, "cannot delete link \(options.linkName)", cause: error)
            }
        }
        createdLink = false
        if let pods {
            do { try await pods.down() } catch {
                first = first ?? BenchError(.setup, "cannot take the pods down", cause: error)
            }
            self.pods = nil
        }
        for (sysctl, previous) in changedSysctls.reversed() { try? sysctl.write(previous) }
        changedSysctls = []
        return first
    }
}
