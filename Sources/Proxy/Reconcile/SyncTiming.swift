/// How long the phases of one reconcile pass took (wall clock), for the sync log line and benchmarks.
public struct SyncTiming: Sendable, Hashable {
    /// Computing the plan.
    public var plan: Duration = .zero
    /// Binding addresses to the dummy link (alongside the IPVS operations, on a thread of its own, when a pass has
    /// both).
    public var bind: Duration = .zero
    /// Applying the IPVS operations (one batch) and recording what the kernel answered.
    public var apply: Duration = .zero
    /// Unbinding addresses.
    public var unbind: Duration = .zero

    /// No time spent yet.
    public init() {}
}
