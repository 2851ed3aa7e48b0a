import Values
import Foundation
import IPVS
import Logging
import NIOCore
import Pods

/// Runs a scenario: brings up its pods, measures the load generator's ceiling against a reference pod directly,
/// then drives the same load through the kernel's virtual server with each scheduler in turn, and removes
/// everything it made (also on error and on interruption).
public struct BenchRunner: Sendable {
    /// Where things go.
    public var options: BenchOptions
    /// Its logger.
    public var logger: Logger
    /// Set on SIGINT/SIGTERM.
    public var interruption: BenchInterruption
    /// Called a few times a second with where the run stands.
    public var progress: (@Sendable (BenchProgress) -> Void)?

    /// A runner.
    public init(
        options: BenchOptions, logger: Logger, interruption: BenchInterruption = BenchInterruption(),
        progress: (@Sendable (BenchProgress) -> Void)? = nil
    ) {
        self.options = options
        self.logger = logger
        self.interruption = interruption
        self.progress = progress
    }

    /// Runs the scenario and returns its report.
    public func run(_ scenario: BenchScenario) async throws(BenchError) -> BenchReport {
        let environment = try BenchEnvironment(options: options, logger: logger)
        let outcome: Result<BenchReport, BenchError>
        do {
            outcome = .success(try await measure(scenario, in: environment))
        } catch {
            outcome = .failure(error)
        }
        let cleanup = await environment.tearDown()
        let report = try outcome.get()
        if let cleanup { throw cleanup }
        return report
    }

    private func measure(_ scenario: BenchScenario, in environment: BenchEnvironment) async throws(BenchError)
        -> BenchReport
    {
        try await environment.setUp(scenario)
        guard let layout = environment.layout, let reference = layout.pods.last else {
            throw BenchError(.setup, "the pods are not up")
        }
        let sources = try environment.clientAddresses(scenario.clientAddresses).map { address throws(BenchError) in
            try socketAddress(address, port: 0)
        }
        let steps = scenario.schedulers.count + 1
        try interruption.check()
        let ceiling = try await measureCeiling(
            scenario, target: try socketAddress(reference.address, port: reference.httpPort), sources: sources,
            steps: steps)
        logger.info("load generator ceiling", metadata: ["req/s": "\(BenchFormat.number(ceiling.requestsPerSecond))"])
        var results: [SchedulerResult] = []
        for (index, scheduler) in scenario.schedulers.enumerated() {
            try interruption.check()
            let port = options.firstPort &+ UInt16(truncatingIfNeeded: index)
            let key = try environment.createVirtualServer(scenario, scheduler: scheduler, port: port)
            let measured = await measureScheduler(
                scenario, scheduler: scheduler, key: key, port: port, environment: environment, sources: sources,
                step: index + 2, steps: steps)
            environment.deleteVirtualServer()
            var result = measured
            result.nearGeneratorCeiling = result.throughput >= 0.8 * ceiling.requestsPerSecond
            results.append(result)
            if var network = environment.pods {
                try await PodEventPlayer(scenario: scenario, logger: logger).restore(&network)
            }
            try? await Task.sleep(for: options.settle)
        }
        try interruption.check()
        return BenchReport(
            scenario: scenario.name, summary: scenario.summary, load: scenario.load.summary,
            pods: scenario.pods.enumerated().map { index, pod in
                BenchReport.Pod(name: BenchScenario.podName(index), weight: pod.weight, delay: pod.delay.description)
            },
            clientAddresses: scenario.clientAddresses, persistenceSeconds: scenario.persistence?.secondsAsDouble,
            events: scenario.events.map(PodEventPlayer.describe), kernel: Self.kernelRelease(),
            date: ISO8601DateFormatter().string(from: Date()), ceiling: ceiling, results: results)
    }

    private func measureCeiling(
        _ scenario: BenchScenario, target: SocketAddress, sources: [SocketAddress], steps: Int
    ) async throws(BenchError) -> BenchReport.Ceiling {
        let concurrency: Int
        switch scenario.load.mode {
        case .closed(let clients): concurrency = max(clients, 16)
        case .open: concurrency = 32
        }
        let shape = LoadShape(
            mode: .closed(concurrency: concurrency), duration: scenario.ceilingDuration,
            requestsPerConnection: scenario.load.requestsPerConnection, timeout: scenario.load.timeout)
        let recorder = RunRecorder()
        let elapsed = await drive(
            LoadGenerator(target: target, sources: sources, shape: shape), recorder: recorder, phase: "ceiling",
            step: 1, steps: steps, total: scenario.ceilingDuration)
        let snapshot = recorder.snapshot
        return BenchReport.Ceiling(
            requestsPerSecond: Double(snapshot.answered) / max(elapsed.secondsAsDouble, 1e-3), concurrency: concurrency,
            p50Milliseconds: Double(snapshot.latency.value(atPercentile: 50)) / 1000,
            p99Milliseconds: Double(snapshot.latency.value(atPercentile: 99)) / 1000, errors: snapshot.failed)
    }

    private func measureScheduler(
        _ scenario: BenchScenario, scheduler: Scheduler, key: VirtualServerKey, port: UInt16,
        environment: BenchEnvironment,
        sources: [SocketAddress], step: Int, steps: Int
    ) async -> SchedulerResult {
        let recorder = RunRecorder()
        let sampler = ConnectionSampler()
        let addresses = (environment.layout?.pods ?? []).prefix(scenario.pods.count).map(\.address)
        let target = (try? socketAddress(options.vip, port: Int(port))) ?? sources[0]
        let generator = LoadGenerator(target: target, sources: sources, shape: scenario.load)
        let kernel = environment.kernel
        let pods = environment.pods
        let start = ContinuousClock.now
        let elapsed = await withTaskGroup(of: Duration?.self) { tasks in
            tasks.addTask {
                await sampler.run(
                    kernel: kernel, key: key, addresses: addresses, interval: options.sampleInterval,
                    logger: logger)
                return nil
            }
            if let network = pods {
                tasks.addTask {
                    await PodEventPlayer(scenario: scenario, logger: logger).play(
                        on: network, from: start, until: start + scenario.load.duration, interruption: interruption)
                    return nil
                }
            }
            tasks.addTask {
                let elapsed = await drive(
                    generator, recorder: recorder, phase: scheduler.rawValue, step: step, steps: steps,
                    total: scenario.load.duration)
                sampler.finish()
                return elapsed
            }
            var measured = Duration.zero
            for await value in tasks { if let value { measured = value } }
            return measured
        }
        return SchedulerResult(
            scheduler: scheduler.rawValue, snapshot: recorder.snapshot, seconds: elapsed.secondsAsDouble,
            podNames: scenario.podNames, activeConnections: sampler.byServer(count: scenario.pods.count),
            sampleInterval: options.sampleInterval.secondsAsDouble)
    }

    /// Runs a generator while reporting progress; returns the wall time until its last request finished.
    private func drive(
        _ generator: LoadGenerator, recorder: RunRecorder, phase: String, step: Int, steps: Int, total: Duration
    ) async -> Duration {
        let start = ContinuousClock.now
        let generatorDone = DoneFlag()
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                await generator.run(recorder: recorder, interruption: interruption)
                generatorDone.set()
            }
            if let progress {
                tasks.addTask {
                    while !generatorDone.isSet {
                        let counts = recorder.counts
                        progress(
                            BenchProgress(
                                phase: phase, step: step, steps: steps, elapsed: (ContinuousClock.now - start).secondsAsDouble,
                                total: total.secondsAsDouble, answered: counts.answered, failed: counts.failed))
                        try? await Task.sleep(for: .milliseconds(200))
                    }
                }
            }
        }
        return ContinuousClock.now - start
    }

    /// NIO's socket address for `address` (NIO takes the text form).
    private func socketAddress(_ address: IPAddress, port: Int) throws(BenchError) -> SocketAddress {
        do {
            return try SocketAddress(ipAddress: "\(address)", port: port)
        } catch {
            throw BenchError(.setup, "not a socket address: \(address.withPort(UInt16(clamping: port)))", cause: error)
        }
    }

    private static func kernelRelease() -> String {
        ((try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8)) ?? "unknown")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
