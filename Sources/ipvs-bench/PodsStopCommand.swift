import ArgumentParser

/// `ipvs-bench pods stop NAME`: Stop a pod's server: its ports refuse connections.
struct PodsStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop a pod's server: its ports refuse connections.")

    @Argument(help: "The pod's name, e.g. pod-1.") var name: String
    @OptionGroup var fixture: PodsRunDirectoryOption

    func run() async throws {
        try await fixture.attach().stop(name)
    }
}
