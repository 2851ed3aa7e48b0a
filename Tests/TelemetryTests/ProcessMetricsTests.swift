import Foundation
import Metrics
import Prometheus
import Testing

@testable import Telemetry

/// `process_*` as client_golang's process collector reports them, read from /proc.
@Suite struct ProcessMetricsTests {
    /// A /proc/<pid>/stat line (proc(5)) whose command name holds a space and a parenthesis: utime 250, stime 50,
    /// starttime 1000 ticks, vsize 123456789, rss 2000 pages.
    static let stat =
        "4242 (ipvs proxy) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 9 0 1000 123456789 2000 "
        + "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 17 1 0 0 0 0 0"

    @Test func theStatLineGivesCPUMemoryAndStartTime() throws {
        let stat = try #require(
            ProcessMetrics.parse(
                stat: Self.stat.replacingOccurrences(of: "(ipvs proxy)", with: "(ipvs (proxy))"),
                bootTime: 1_700_000_000,
                ticksPerSecond: 100, pageSize: 4096))
        #expect(stat.cpuSeconds == 3)
        #expect(stat.virtualMemoryBytes == 123_456_789)
        #expect(stat.residentMemoryBytes == 2000 * 4096)
        #expect(stat.startTimeSeconds == 1_700_000_010)
    }

    @Test(arguments: ["", "4242 ipvs-proxy S 1", "4242 (ipvs-proxy) S 1 2 3"])
    func aLineThatIsNoStatLineGivesNothing(_ line: String) {
        #expect(ProcessMetrics.parse(stat: line, bootTime: 0, ticksPerSecond: 100, pageSize: 4096) == nil)
    }

    @Test func bootTimeIsProcStatsBtime() {
        #expect(ProcessMetrics.parseBootTime("cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n") == 1_700_000_000)
        #expect(ProcessMetrics.parseBootTime("cpu  1 2 3\n") == nil)
    }

    @Test func collectingRecordsEveryFamilyFromThisProcess() {
        let registry = PrometheusCollectorRegistry()
        let metrics = ProcessMetrics(factory: PrometheusMetricsFactory(registry: registry))
        metrics.collect()
        let text = registry.emitToString()
        func value(_ name: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap {
                Double($0.split(separator: " ")[1])
            }
        }
        #expect((value("process_resident_memory_bytes") ?? 0) > 0)
        #expect((value("process_virtual_memory_bytes") ?? 0) >= (value("process_resident_memory_bytes") ?? 0))
        #expect((value("process_open_fds") ?? 0) >= 3)
        #expect((value("process_max_fds") ?? 0) >= (value("process_open_fds") ?? 0))
        #expect((value("process_start_time_seconds") ?? 0) > 1_500_000_000)
        #expect(value("process_cpu_seconds_total") != nil)
    }
}

/// HELP lines for the families swift-metrics made without one.
@Suite struct PrometheusHelpTests {
    @Test func eachKnownFamilyGetsItsHelpBeforeItsTypeAndNothingElseChanges() {
        let text = """
            # TYPE a_total counter
            a_total 1
            # HELP b already here
            # TYPE b gauge
            b 2
            # TYPE c gauge
            c 3

            """
        let out = String(
            decoding: PrometheusHelp.adding(
                ["a_total": "Counts a\\b\nc", "b": "other", "zz": "unused"], to: Array(text.utf8)),
            as: UTF8.self)
        #expect(
            out == """
                # HELP a_total Counts a\\\\b\\nc
                # TYPE a_total counter
                a_total 1
                # HELP b already here
                # TYPE b gauge
                b 2
                # TYPE c gauge
                c 3

                """)
    }
}
