import ArgumentParser

/// `ipvs-bench pods start NAME`: Start a stopped pod's server again and wait until it answers.
struct PodsStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Start a stopped pod's server again and wait until it answers.")

    @Argument(help: "The pod's name, e.g. pod-1.") var name: String
    @OptionGroup var fixture: PodsRunDirectoryOption

    func run() async throws {
        try await fixture.attach().start(name)
    }
}
