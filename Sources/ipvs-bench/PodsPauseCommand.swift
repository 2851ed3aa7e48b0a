import ArgumentParser

/// `ipvs-bench pods pause NAME`: Freeze a pod's server (SIGSTOP): connections are accepted but never answered.
struct PodsPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Freeze a pod's server (SIGSTOP): connections are accepted but never answered.")

    @Argument(help: "The pod's name, e.g. pod-1.") var name: String
    @OptionGroup var fixture: PodsRunDirectoryOption

    func run() async throws {
        try await fixture.attach().pause(name)
    }
}
