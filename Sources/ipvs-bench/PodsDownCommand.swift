import ArgumentParser

/// `ipvs-bench pods down`: stop the servers and remove what `pods up` made.
struct PodsDownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down", abstract: "Stop every pod and remove the namespaces, veths and bridge that `up` made.")

    @OptionGroup var fixture: PodsRunDirectoryOption

    func run() async throws {
        try await fixture.attach().down()
    }
}
