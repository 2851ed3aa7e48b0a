import ArgumentParser
import Pods

/// `ipvs-bench pods delay NAME DELAY`: change a running pod's response delay.
struct PodsDelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delay",
        abstract: "Change a pod's response delay now, e.g. `pods delay pod-1 exp:200ms` (a pod slowing down midway).")

    @Argument(help: "The pod's name, e.g. pod-1.") var name: String
    @Argument(help: "The new delay: none, 50ms, exp:MEAN, lognormal:MEDIAN:SIGMA or pareto:MIN:SHAPE.")
    var delay: String
    @OptionGroup var fixture: PodsRunDirectoryOption

    func run() async throws {
        var network = try fixture.attach()
        try await network.setDelay(name, try DelayDistribution(parsing: delay))
    }
}
