import ArgumentParser
import Foundation
import Health
import Logging
import NIOCore
import NIOPosix
import Pods
import Values

/// `ipvs-bench lab-bench-health`: can one event loop probe N endpoints every interval? Loopback only: listeners
/// on `ports` ports of 0.0.0.0, endpoints spread over addresses of 127.0.0.0/8 (N / ports addresses each).
/// Hidden: a benchmark, run by scripts/bench-health.
struct LabBenchHealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab-bench-health",
        abstract: "Loopback benchmark: TCP-probe N endpoints every interval on one event loop; report rate, lag, CPU.",
        shouldDisplay: false
    )

    @Option(help: "Endpoints to probe.")
    var endpoints = 100_000

    @Option(help: "Probe interval.")
    var interval = GoDurationArgument(.seconds(5))

    @Option(help: "Probe timeout.")
    var timeout = GoDurationArgument(.seconds(1))

    @Option(help: "Measurement window, after one interval of warm-up.")
    var duration = GoDurationArgument(.seconds(30))

    @Option(help: "Listening ports (the first is --base-port).")
    var ports = 50

    @Option(help: "The first listening port.")
    var basePort = 20_000

    @Flag(help: "Start no listeners: every probe is refused by the kernel (measures the prober without an accept side).")
    var refused = false

    func run() async throws {
        let logger = Logger(label: "bench-health")
        let listeners = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var servers: [any Channel] = []
        for index in 0..<(refused ? 0 : ports) {
            servers.append(
                try await ServerBootstrap(group: listeners)
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
        let probe = HealthProbe(kind: .tcp, interval: interval.duration, timeout: timeout.duration, rise: 2, fall: 3)
        let perPort = (endpoints + ports - 1) / ports
        let targets = (0..<endpoints).map { index in
            let host = index / ports + 1
            let address = IPAddress.v4(
                IPv4Address(
                    127, UInt8(truncatingIfNeeded: 1 + host / 65536), UInt8(truncatingIfNeeded: host / 256),
                    UInt8(truncatingIfNeeded: host)))
            return HealthTarget(address: address, port: UInt16(basePort + index % ports), probe: probe)
        }
        let checker = HealthChecker(logger: logger)
        let clock = ContinuousClock()
        let launched = clock.now
        checker.update(adding: targets, removing: [])
        print("endpoints \(endpoints) \(refused ? "(refused: no listeners)" : "") on \(ports) ports x \(perPort) addresses; interval \(interval); needed \(rate(Double(endpoints), interval.duration)) probes/s")
        try await Task.sleep(for: interval.duration)
        let before = try await checker.statistics(resetLag: true)
        let (beforeTime, beforeUsage) = (clock.now, ProcessUsage.now())
        try await Task.sleep(for: duration.duration)
        let after = try await checker.statistics()
        let (afterTime, afterUsage) = (clock.now, ProcessUsage.now())
        let window = afterTime - beforeTime
        let probes = Double(after.finished - before.finished)
        let windowSeconds = window.secondsAsDouble
        let begun = after.started - before.started
        print("window \(format(windowSeconds)) s after \(format((beforeTime - launched).secondsAsDouble)) s of warm-up")
        print("probes finished \(Int(probes)) = \(format(probes / windowSeconds)) probes/s (needed \(rate(Double(endpoints), interval.duration)))")
        print("probes started \(begun), failed \(after.failed - before.failed), skipped \(after.skipped - before.skipped), overrun \(after.overrun - before.overrun), down now \(after.down)")
        let meanLag = begun > 0 ? after.totalLag.secondsAsDouble / Double(begun) : 0
        print("lag behind schedule: max \(format(after.maxLag.secondsAsDouble * 1000)) ms, mean \(format(meanLag * 1000)) ms")
        let loopCPU = (after.loopCPU - before.loopCPU).secondsAsDouble
        print("prober loop thread CPU \(format(loopCPU)) s = \(format(loopCPU / windowSeconds * 100)) % of one core")
        let user = afterUsage.user - beforeUsage.user
        let system = afterUsage.system - beforeUsage.system
        print("whole process (prober + listeners) getrusage: user \(format(user)) s, system \(format(system)) s = \(format((user + system) / windowSeconds * 100)) % of one core; max RSS \(afterUsage.maxRSSMiB) MiB")
        for (target, failure) in try await checker.lastFailures(limit: 3) { print("failed: \(target): \(failure)") }
        try await checker.stop()
        for server in servers { try await server.close() }
        try await listeners.shutdownGracefully()
    }

    private func rate(_ count: Double, _ interval: Duration) -> String { format(count / interval.secondsAsDouble) }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
