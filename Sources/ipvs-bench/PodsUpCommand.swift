import ArgumentParser
import Pods

/// `ipvs-bench pods up`: create the bridge, the pods' namespaces, and start their servers.
struct PodsUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Create N pods (netns + veth on a bridge) serving HTTP that names the pod, and TCP/UDP echo.",
        discussion: """
            Delays: 50ms | const:50ms | exp:MEAN | lognormal:MEDIAN:SIGMA | pareto:MIN:SHAPE, per pod \
            (--delay pod-1=exp:50ms) or for all (--delay '*=5ms'). Durations in Go's syntax: units ns, us, ms, s, m, h.
            """
    )

    @Option(help: "How many pods.") var count = 3
    @Option(help: "The pod CIDR: the bridge takes its first address, pods from --first-offset on.")
    var cidr = "\(PodNetworkOptions.defaultCIDR)"
    @Option(help: "The node bridge's name.") var bridge = PodNetworkOptions().bridgeName
    @Option(name: .customLong("name-prefix"), help: "Pod i is named PREFIXi (also its netns name).")
    var namePrefix = PodNetworkOptions().namePrefix
    @Option(name: .customLong("first-offset"), help: "Pod 0's host offset in the CIDR.")
    var firstOffset: UInt64 = PodNetworkOptions().firstPodOffset
    @Option(name: .customLong("http-port"), help: "Each pod's HTTP port.") var httpPort = 80
    @Option(name: .customLong("echo-port"), help: "Each pod's TCP and UDP echo port.") var echoPort = 7
    @Option(help: "A response delay, NAME=DELAY (repeatable; NAME * for every pod).") var delay: [String] = []
    @Option(help: "Seed of pod 0's delay generator (pod i uses seed + i).") var seed: UInt64 = 1
    @Option(name: .customLong("ready-timeout"), help: "Seconds to wait for each pod to answer.")
    var readyTimeout = 60
    @Flag(name: .customLong("dry-run"), help: "Print the commands it would run, and run none.") var dryRun = false
    @OptionGroup var fixture: PodsRunDirectoryOption

    func run() async throws {
        var options = PodNetworkOptions(
            count: count, cidr: try PodNetworkOptions.parseCIDR(cidr), bridgeName: bridge, namePrefix: namePrefix,
            firstPodOffset: firstOffset,
            httpPort: httpPort, echoPort: echoPort, seed: seed, runDirectory: fixture.runDirectory,
            readinessTimeout: .seconds(readyTimeout))
        for assignment in delay { try options.addDelay(assignment) }
        let executable = try PodsRunDirectoryOption.ownExecutable()
        if dryRun {
            for command in try PodNetworkLayout(options).setupPlan(executable: executable) {
                print(command.joined(separator: " "))
            }
            return
        }
        let network = try await PodNetwork.up(options, executable: executable, logger: PodsRunDirectoryOption.logger)
        PodsListCommand.printTable(network.status())
    }
}
