import Values
import Foundation
import Metrics

/// client_golang's process collector, read from /proc/self when /metrics is scraped: `process_cpu_seconds_total`,
/// `process_resident_memory_bytes`, `process_virtual_memory_bytes`, `process_open_fds`, `process_max_fds` and
/// `process_start_time_seconds`, under the Prometheus names and help texts dashboards expect (the kubernetes-mixin
/// Proxy dashboard's Memory and CPU panels). Linux only; what cannot be read is left as it was.
public final class ProcessMetrics: Sendable {
    /// Metric names, for docs and tests.
    public enum Name {
        public static let cpuSeconds = "process_cpu_seconds_total"
        public static let residentMemory = "process_resident_memory_bytes"
        public static let virtualMemory = "process_virtual_memory_bytes"
        public static let openFDs = "process_open_fds"
        public static let maxFDs = "process_max_fds"
        public static let startTime = "process_start_time_seconds"
    }

    /// client_golang's help texts, by name.
    public static let help: [String: String] = [
        Name.cpuSeconds: "Total user and system CPU time spent in seconds.",
        Name.residentMemory: "Resident memory size in bytes.",
        Name.virtualMemory: "Virtual memory size in bytes.",
        Name.openFDs: "Number of open file descriptors.",
        Name.maxFDs: "Maximum number of open file descriptors.",
        Name.startTime: "Start time of the process since unix epoch in seconds.",
    ]

    /// What /proc/self/stat says, in the units of the metrics.
    public struct Stat: Sendable, Hashable {
        /// User and system CPU time.
        public var cpuSeconds: Double
        /// Virtual and resident memory.
        public var virtualMemoryBytes: Double
        public var residentMemoryBytes: Double
        /// When the process started (Unix seconds).
        public var startTimeSeconds: Double
    }

    /// Reads a /proc/<pid>/stat line (proc(5)): utime, stime, starttime, vsize and rss are fields 14, 15, 22, 23
    /// and 24, counted after the command name in parentheses (which may hold spaces and parentheses itself).
    /// `bootTime` is /proc/stat's `btime`. Nil when the line is not such a line.
    public static func parse(stat: String, bootTime: Double, ticksPerSecond: Double, pageSize: Double) -> Stat? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state).
        func field(_ number: Int) -> Double? {
            let index = number - 3
            return index < fields.count ? Double(fields[index]) : nil
        }
        guard let user = field(14), let system = field(15), let start = field(22), let virtual = field(23),
            let resident = field(24)
        else { return nil }
        return Stat(
            cpuSeconds: (user + system) / ticksPerSecond, virtualMemoryBytes: virtual,
            residentMemoryBytes: resident * pageSize, startTimeSeconds: bootTime + start / ticksPerSecond)
    }

    /// The `btime` line of /proc/stat: when the system booted (Unix seconds).
    public static func parseBootTime(_ procStat: String) -> Double? {
        for line in procStat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst("btime ".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    private let cpuSeconds: FloatingPointCounter
    private let residentMemory: Gauge
    private let virtualMemory: Gauge
    private let openFDs: Gauge
    private let maxFDs: Gauge
    private let startTime: Gauge
    private let countedCPU = Locked(0.0)
    private let bootTime: Double?

    /// The metrics, made through `factory` (the bootstrapped backend unless a test gives its own).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        cpuSeconds = FloatingPointCounter(label: Name.cpuSeconds, dimensions: [], factory: factory)
        residentMemory = Gauge(label: Name.residentMemory, factory: factory)
        virtualMemory = Gauge(label: Name.virtualMemory, factory: factory)
        openFDs = Gauge(label: Name.openFDs, factory: factory)
        maxFDs = Gauge(label: Name.maxFDs, factory: factory)
        startTime = Gauge(label: Name.startTime, factory: factory)
        bootTime = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8)).flatMap(Self.parseBootTime)
    }

    /// Reads /proc/self and records what it says (a few small reads of procfs, which never wait on a device).
    public func collect() {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let bootTime, ticks > 0, page > 0,
            let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let stat = Self.parse(stat: text, bootTime: bootTime, ticksPerSecond: ticks, pageSize: page)
        {
            let grew = countedCPU.withLock { counted in
                defer { counted = max(counted, stat.cpuSeconds) }
                return max(0, stat.cpuSeconds - counted)
            }
            cpuSeconds.increment(by: grew)
            residentMemory.record(stat.residentMemoryBytes)
            virtualMemory.record(stat.virtualMemoryBytes)
            startTime.record(stat.startTimeSeconds)
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            openFDs.record(entries.count)
        }
        if let limit = OpenFileLimit.current() { maxFDs.record(Double(limit.soft)) }
    }
}
