import ArgumentParser
import Foundation
import Logging
import Pods

/// The option every `pods` subcommand shares: where the fixture keeps its state.
struct PodsRunDirectoryOption: ParsableArguments {
    @Option(name: .customLong("run-dir"), help: "Where the fixture keeps its state, pid and log files.")
    var runDirectory = PodNetworkOptions().runDirectory

    /// The fixture that is up.
    func attach() throws -> PodNetwork {
        try PodNetwork.attach(runDirectory: runDirectory, logger: PodsRunDirectoryOption.logger)
    }

    /// The `pods` commands' logger.
    static var logger: Logger { Logger(label: "ipvs-bench.pods") }

    /// This program's own binary (what `pods up` runs in each namespace as `pods serve`).
    static func ownExecutable() throws -> String {
        do {
            return try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        } catch {
            throw ValidationError("cannot find this program's binary through /proc/self/exe: \(error)")
        }
    }
}
