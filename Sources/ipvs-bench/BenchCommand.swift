import ArgumentParser
import Bench
import Foundation
import IPVS
import Logging
import Pods
import UnixSignals

/// `ipvs-bench bench SCENARIO...`: real traffic through the kernel's IPVS, one scheduler after another.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Compare IPVS schedulers on a scenario: pods, load, one scheduler after another, real kernel.",
        discussion: """
            Needs root and a kernel with IPVS; on a host without, run it in the kernel lab: \
            scripts/lab --rw "$PWD/docs" -- .build/debug/ipvs-bench bench manifests/bench/homogeneous.yaml \
            --output-dir docs/bench. Scenario files: manifests/bench/*.yaml (format in docs/scheduler-benchmarks.md). \
            Makes its own pods (bridge ipvsbench0, 10.245.0.0/24), link ipvsbench-vip with VIP 10.97.0.1 and client \
            addresses 10.98.0.N, and removes them all when done, on error or on Ctrl-C.
            """
    )

    @Argument(help: "Scenario YAML files, run one after another (with --from-json: JSON reports to render).")
    var scenarios: [String]
    @Flag(name: .customLong("from-json"), help: "Render saved JSON reports again (table, SVG) instead of running.")
    var fromJSON = false
    @Option(name: .customLong("output-dir"), help: "Write NAME.json, NAME.svg and NAME.txt (the table) here.")
    var outputDirectory: String?
    @Option(help: "Write the JSON report here ('-' for standard output; one scenario only).") var json: String?
    @Option(help: "Write the SVG chart here (one scenario only).") var svg: String?
    @Option(help: "Run only these schedulers (comma-separated), overriding the scenario's list.") var schedulers:
        String?
    @Option(help: "Measure each scheduler this long (like 4s), overriding the scenario.")
    var duration: GoDurationArgument?
    @Option(name: .customLong("run-dir"), help: "Where the bench pods keep their state, pid and log files.")
    var runDirectory = "/run/ipvs-proxy-bench"
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "warning"

    func validate() throws {
        if scenarios.count > 1, json != nil || svg != nil {
            throw ValidationError("--json and --svg take one scenario; use --output-dir for several")
        }
    }

    func run() async throws {
        if fromJSON {
            for path in scenarios {
                let report = try JSONDecoder().decode(BenchReport.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
                print(report.table)
                try write(report)
            }
            return
        }
        var logger = Logger(label: "ipvs-bench.bench")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
        let loaded = try scenarios.map { path in try adjusted(try BenchScenario(contentsOfFile: path)) }
        var options = BenchOptions(executable: try PodsRunDirectoryOption.ownExecutable())
        options.runDirectory = runDirectory
        let interruption = BenchInterruption()
        // SIGINT or SIGTERM asks the benchmark to stop and clean up, instead of killing it.
        let interrupts = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let bar = ProgressBar()
        let runner = BenchRunner(options: options, logger: logger, interruption: interruption) { bar.draw($0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in interrupts {
                    FileHandle.standardError.write(Data("\nbench: interrupted, cleaning up...\n".utf8))
                    interruption.request()
                }
            }
            defer { group.cancelAll() }
            for scenario in loaded {
                let report: BenchReport
                do {
                    report = try await runner.run(scenario)
                } catch {
                    bar.clear()
                    throw error
                }
                bar.clear()
                if json != "-" { print(report.table) }
                try write(report)
            }
        }
    }

    private func adjusted(_ scenario: BenchScenario) throws -> BenchScenario {
        var scenario = scenario
        if let schedulers {
            scenario.schedulers = schedulers.split(separator: ",").map { Scheduler(String($0)) }
            if let unknown = scenario.schedulers.first(where: { !$0.isKnown }) {
                throw ValidationError("unknown scheduler \(unknown)")
            }
        }
        if let duration {
            guard duration.duration >= .seconds(1) else {
                throw ValidationError("--duration \(duration): not a duration of at least 1s")
            }
            scenario.load.duration = duration.duration
        }
        return scenario
    }

    private func write(_ report: BenchReport) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let jsonData = try encoder.encode(report)
        if let outputDirectory {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
            let base = URL(fileURLWithPath: outputDirectory).appendingPathComponent(report.scenario)
            try jsonData.write(to: base.appendingPathExtension("json"))
            try Data(report.svg.utf8).write(to: base.appendingPathExtension("svg"))
            try Data(report.table.utf8).write(to: base.appendingPathExtension("txt"))
            print("wrote \(base.path).{json,svg,txt}")
        }
        if let json {
            if json == "-" {
                FileHandle.standardOutput.write(jsonData + Data("\n".utf8))
            } else {
                try jsonData.write(to: URL(fileURLWithPath: json))
            }
        }
        if let svg { try Data(report.svg.utf8).write(to: URL(fileURLWithPath: svg)) }
    }
}
