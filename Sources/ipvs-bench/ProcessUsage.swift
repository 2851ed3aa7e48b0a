#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The process's CPU time and peak memory from getrusage(RUSAGE_SELF), for benchmarks.
struct ProcessUsage {
    var user: Double
    var system: Double
    var maxRSSMiB: Int

    static func now() -> ProcessUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return ProcessUsage(
            user: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            system: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
            maxRSSMiB: usage.ru_maxrss / 1024
        )
    }
}
