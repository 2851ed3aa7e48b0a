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

    @OptionGroup var listening: HealthListenerPorts

    @Flag(
        help: "Start no listeners: every probe is refused by the kernel (measures the prober without an accept side).")
    var refused = false

    @Option(help: "The listeners run in this process (lab-health-listeners): start none here, report its CPU.")
    var listenerPid: Int32?

    @Option(help: "Print a line of figures this often within the window (to see whether the lag grows).")
    var reportEvery = GoDurationArgument(.seconds(10))

    func run() async throws {
        let logger = Logger(label: "bench-health")
        let listeners = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let inProcess = !refused && listenerPid == nil
        let servers =
            inProcess ? try await listening.listen(on: listeners) : []
        let (ports, basePort) = (listening.ports, listening.basePort)
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
        let side =
            refused
            ? "refused: no listeners" : listenerPid.map { "listeners in process \($0)" } ?? "listeners in process"
        print(
            "endpoints \(endpoints) (\(side)) on \(ports) ports x \(perPort) addresses; interval \(interval);"
                + " needed \(rate(Double(endpoints), interval.duration)) probes/s"
        )
        try await Task.sleep(for: interval.duration)
        let first = try await checker.statistics(resetLag: true)
        let start = Sample(
            time: clock.now, process: ProcessUsage.now(),
            listeners: listenerPid.flatMap(ProcessUsage.cpuSeconds(ofProcess:)))
        print(
            "window \(format(duration.duration.secondsAsDouble)) s"
                + " after \(format((start.time - launched).secondsAsDouble)) s of warm-up"
        )
        var (previous, previousStats, lag) = (start, first, LatencyHistogram())
        while clock.now - start.time < duration.duration {
            let left = duration.duration - (clock.now - start.time)
            try await Task.sleep(for: min(reportEvery.duration, left))
            let stats = try await checker.statistics(resetLag: true)
            let sample = Sample(
                time: clock.now, process: ProcessUsage.now(),
                listeners: listenerPid.flatMap(ProcessUsage.cpuSeconds(ofProcess:)))
            lag.merge(stats.lag)
            print(
                line(from: (previous, previousStats), to: (sample, stats), lag: stats.lag, at: sample.time - start.time)
            )
            (previous, previousStats) = (sample, stats)
        }
        print("whole window:")
        print(line(from: (start, first), to: (previous, previousStats), lag: lag, at: previous.time - start.time))
        let (begun, finished) = (previousStats.started - first.started, previousStats.finished - first.finished)
        print(
            "probes started \(begun), finished \(finished), failed \(previousStats.failed - first.failed),"
                + " not probed (short of descriptors, memory or ports) \(previousStats.notProbed - first.notProbed),"
                + " skipped \(previousStats.skipped - first.skipped), overrun \(previousStats.overrun - first.overrun),"
                + " down now \(previousStats.down)"
        )
        print("lag behind schedule over the window: \(figures(lag)), mean \(format(lag.mean / 1000)) ms")
        print("prober process max RSS \(previous.process.maxRSSMiB) MiB")
        for (target, failure) in try await checker.lastFailures(limit: 3) { print("failed: \(target): \(failure)") }
        try await checker.stop()
        for server in servers { try await server.close() }
        try await listeners.shutdownGracefully()
    }

    /// One reading of the clock and the CPU counters.
    private struct Sample {
        var time: ContinuousClock.Instant
        var process: ProcessUsage
        /// The listener process's CPU seconds, when it runs apart.
        var listeners: Double?
    }

    /// Figures between two samples: probes/s, lag, the prober's threads' and the processes' CPU.
    private func line(
        from: (Sample, HealthCheckerStatistics), to: (Sample, HealthCheckerStatistics), lag: LatencyHistogram,
        at elapsed: Duration
    ) -> String {
        let seconds = max((to.0.time - from.0.time).secondsAsDouble, 1e-9)
        let probes = Double(to.1.finished - from.1.finished)
        let loop = (to.1.loopCPU - from.1.loopCPU).secondsAsDouble
        let process = to.0.process.total - from.0.process.total
        var text = "t=\(format(elapsed.secondsAsDouble))s probes/s \(format(probes / seconds))"
        text += " failed \(to.1.failed - from.1.failed) lag \(figures(lag))"
        text +=
            " | CPU % of one core: prober threads \(percent(loop, seconds)), process \(percent(process, seconds))"
        if let before = from.0.listeners, let after = to.0.listeners {
            text += ", listener process \(percent(after - before, seconds))"
        }
        return text
    }

    private func rate(_ count: Double, _ interval: Duration) -> String { format(count / interval.secondsAsDouble) }

    /// "p50 X ms, p99 Y ms, max Z ms".
    private func figures(_ lag: LatencyHistogram) -> String {
        let (p50, p99) = (lag.value(atPercentile: 50), lag.value(atPercentile: 99))
        return "p50 \(millis(p50)) ms, p99 \(millis(p99)) ms, max \(millis(lag.maximum)) ms"
    }

    private func millis(_ microseconds: UInt64) -> String { String(format: "%.2f", Double(microseconds) / 1000) }

    private func percent(_ cpu: Double, _ seconds: Double) -> String { format(cpu / seconds * 100) }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
