import Foundation

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

    /// Another process's CPU time so far, from `/proc/PID/stat` (utime and stime, in clock ticks); its peak memory
    /// is not read (0). Nil when the process is gone or the file does not parse.
    static func of(pid: Int32) -> ProcessUsage? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the name: state is field 3, utime field 14, stime field 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessUsage(user: user / ticks, system: system / ticks, maxRSSMiB: 0)
    }

    /// User plus system seconds.
    var total: Double { user + system }
}
