import Values

/// Counters of the prober, for benchmarks and the status file.
public struct HealthCheckerStatistics: Sendable, Hashable {
    /// Targets being probed.
    public var targets = 0
    /// Targets currently down.
    public var down = 0
    /// Probes started so far.
    public var started = 0
    /// Probes finished so far.
    public var finished = 0
    /// Probes that failed so far.
    public var failed = 0
    /// Probes this node could not make (out of descriptors, memory or ports): counted neither for nor against
    /// their endpoints.
    public var notProbed = 0
    /// Probe starts skipped because the previous probe of the same target was still running.
    public var skipped = 0
    /// Probe rounds dropped because the loop was a whole interval late.
    public var overrun = 0
    /// The delays between each probe's due time and its start, in microseconds (recorded for every probe round,
    /// skipped ones included).
    public var lag = LatencyHistogram()
    /// CPU time (user + system) of the prober's threads so far: its event loop thread and its TCP connector.
    public var loopCPU: Duration = .zero

    /// Statistics with every counter at zero.
    public init() {}
}
