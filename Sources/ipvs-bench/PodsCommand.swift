import ArgumentParser

/// `ipvs-bench pods ...`: backend pods in network namespaces, for the kernel lab, the demo and benchmarks.
struct PodsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pods",
        abstract: "Backend pods in network namespaces on a node bridge (the lab's test fixture; needs root).",
        subcommands: [
            PodsUpCommand.self, PodsDownCommand.self, PodsListCommand.self, PodsStopCommand.self,
            PodsStartCommand.self, PodsPauseCommand.self, PodsResumeCommand.self, PodsDelayCommand.self,
            PodsServeCommand.self,
        ]
    )
}
