import Foundation
import Telemetry

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A process's CPU time and peak memory, for benchmarks.
struct ProcessUsage {
    var user: Double
    var system: Double
    var maxRSSMiB: Int

    /// This process's, from getrusage(RUSAGE_SELF).
    static func now() -> ProcessUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return ProcessUsage(
            user: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            system: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
            maxRSSMiB: usage.ru_maxrss / 1024
        )
    }

    /// Another process's CPU time so far (user + system seconds), read from `/proc/PID/stat` with the one parser
    /// of that line (the proxy's process metrics'). Nil when the process is gone or the line does not parse.
    static func cpuSeconds(ofProcess pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessMetrics.parse(stat: text, bootTime: 0, ticksPerSecond: ticks, pageSize: 1)?.cpuSeconds
    }

    /// User plus system seconds.
    var total: Double { user + system }
}
