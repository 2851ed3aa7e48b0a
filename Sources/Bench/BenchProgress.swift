/// Where a run stands, for a progress display.
public struct BenchProgress: Sendable, Hashable {
    /// What runs: `ceiling` or a scheduler's name.
    public var phase: String
    /// Which phase of how many (1-based).
    public var step: Int
    /// How many phases in all.
    public var steps: Int
    /// Seconds into the phase.
    public var elapsed: Double
    /// The phase's planned seconds.
    public var total: Double
    /// Answered requests so far in the phase.
    public var answered: UInt64
    /// Failed requests so far in the phase.
    public var failed: UInt64

    /// The phase's completed fraction, 0...1.
    public var fraction: Double { total > 0 ? min(max(elapsed / total, 0), 1) : 1 }
}
