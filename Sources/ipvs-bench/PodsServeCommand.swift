import ArgumentParser
import Foundation
import Pods
import UnixSignals

/// `ipvs-bench pods serve`: one pod's server, run by `pods up` inside the pod's namespace. Hidden from help.
struct PodsServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve as one pod (run by `pods up` in the pod's namespace).",
        shouldDisplay: false)

    @Option(help: "The pod's name (the HTTP body and X-Pod header).") var name: String
    @Option(help: "The address to listen on.") var host = "0.0.0.0"
    @Option(name: .customLong("http-port"), help: "The HTTP port (0: any free one).") var httpPort = 80
    @Option(name: .customLong("echo-port"), help: "The TCP and UDP echo port.") var echoPort = 7
    @Option(help: "The HTTP response delay, e.g. 50ms or exp:50ms.") var delay = "none"
    @Option(help: "The delay generator's seed.") var seed: UInt64 = 1
    @Option(name: .customLong("pid-file"), help: "Where to write the process id once serving.") var pidFile: String?
    @Option(name: .customLong("delay-file"), help: "On SIGUSR1, read a new delay from this file.")
    var delayFile: String?

    func run() async throws {
        // `pods up` starts this in a session of its own; started by hand, leave the terminal's session too, so
        // that a paused pod gets no SIGHUP when the terminal goes.
        _ = setsid()
        let configuration = PodServerConfiguration(
            name: name, host: host, httpPort: httpPort, tcpEchoPort: echoPort, udpEchoPort: echoPort,
            delay: try DelayDistribution(parsing: delay), seed: seed)
        let server = try await PodServer.start(configuration, logger: PodsRunDirectoryOption.logger)
        // Trapped before the pid file says the server runs: the fixture signals it as soon as it reads the file.
        let stops = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let reloads = delayFile == nil ? nil : await UnixSignalsSequence(trapping: .sigusr1)
        let pid = String(getpid())
        if let pidFile {
            try Data((pid + "\n").utf8).write(to: URL(fileURLWithPath: pidFile), options: .atomic)
        }
        await withTaskGroup(of: Void.self) { group in
            if let delayFile, let reloads { group.addTask { await server.reloadDelay(from: delayFile, on: reloads) } }
            await server.run(until: stops)
            group.cancelAll()
        }
        if let pidFile, (try? String(contentsOfFile: pidFile, encoding: .utf8))?.hasPrefix(pid + "\n") == true {
            try? FileManager.default.removeItem(atPath: pidFile)
        }
    }
}
