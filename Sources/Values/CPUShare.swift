/// A share of one CPU that a periodic background job may take: the resync's slices, the traffic metrics' reads of
/// the kernel's table (`--kernel-read-cpu`). A piece of work that cost `c` of its thread's CPU is followed by the
/// next no sooner than `c / fraction` after it began, so the job takes `fraction` of a CPU at most, however large
/// the table and however slow the CPU.
public struct CPUShare: Sendable, Hashable {
    /// The share, in (0, 1]; 1 is a whole CPU (no pause).
    public let fraction: Double

    /// A share of `fraction` of one CPU, kept within (0, 1].
    public init(_ fraction: Double) {
        self.fraction = fraction.isFinite ? min(max(fraction, 0.0001), 1) : 1
    }

    /// A whole CPU: work follows work at once.
    public static let whole = CPUShare(1)

    /// The least time from the start of a piece of work that cost `cpu` to the start of the next; zero for a whole
    /// CPU.
    public func cycle(after cpu: Duration) -> Duration {
        fraction >= 1 ? .zero : cpu * (1 / fraction)
    }

    /// Two jobs sharing this one: each takes half.
    public var half: CPUShare { CPUShare(fraction / 2) }
}
