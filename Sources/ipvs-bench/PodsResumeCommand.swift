import ArgumentParser

/// `ipvs-bench pods resume NAME`: Let a paused pod's server run again (SIGCONT).
struct PodsResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Let a paused pod's server run again (SIGCONT).")

    @Argument(help: "The pod's name, e.g. pod-1.") var name: String
    @OptionGroup var fixture: PodsRunDirectoryOption

    func run() async throws {
        try await fixture.attach().resume(name)
    }
}
