import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// `ipvs-bench lab-health-listeners`: the health benchmark's accept side as a process of its own, so the prober
/// measured by `lab-bench-health --listener-pid` does not share its process, threads or file descriptors. Listens
/// on `ports` ports of 0.0.0.0, closes every accepted connection at once, prints `listening` when every port is
/// bound and runs until killed. Hidden: run by scripts/bench-health.
struct LabHealthListenersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab-health-listeners",
        abstract: "The health benchmark's listeners: accept and close on PORTS ports until killed.",
        shouldDisplay: false
    )

    @OptionGroup var listening: HealthListenerPorts

    @Option(help: "Event loop threads accepting (the ports are spread over them).")
    var threads = 1

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(threads, 1))
        let servers = try await listening.listen(on: group)
        // The benchmark waits for this line in a file: written at once, not left in stdio's buffer.
        let ready = "listening on \(servers.count) ports from \(listening.basePort) with \(max(threads, 1)) thread(s)\n"
        FileHandle.standardOutput.write(Data(ready.utf8))
        // Runs until the benchmark kills it; the sleep is only there to keep the process alive.
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}

/// The health benchmark's listening ports, the same options for the listeners and for the prober that targets
/// them.
struct HealthListenerPorts: ParsableArguments {
    @Option(help: "Listening ports (the first is --base-port).")
    var ports = 50

    @Option(help: "The first listening port.")
    var basePort = 20_000

    /// Binds `ports` listeners from `basePort` on `group`, each closing what it accepts.
    func listen(on group: any EventLoopGroup) async throws -> [any Channel] {
        var servers: [any Channel] = []
        for index in 0..<ports {
            servers.append(
                try await ServerBootstrap(group: group)
                    .serverChannelOption(.backlog, value: 4096)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(CloseOnAccept())
                        }
                    }
                    .bind(host: "0.0.0.0", port: basePort + index).get()
            )
        }
        return servers
    }
}
