/// How one endpoint is probed: the kind of probe and its timing. Endpoints probed with equal specs at the same
/// address are probed once, whatever number of virtual servers use them.
public struct HealthProbe: Sendable, Hashable, CustomStringConvertible {
    /// What the probe does.
    public var kind: HealthProbeKind
    /// Time between the starts of two probes.
    public var interval: Duration
    /// How long one probe may take; a slower answer counts as a failure. Less than `interval`.
    public var timeout: Duration
    /// Consecutive successes that bring a down endpoint back.
    public var rise: Int
    /// Consecutive failures that take an up endpoint out.
    public var fall: Int

    /// A probe spec. `rise` and `fall` are at least 1; `timeout` is capped at `interval`.
    public init(
        kind: HealthProbeKind = .tcp,
        interval: Duration = .seconds(5),
        timeout: Duration = .seconds(2),
        rise: Int = 2,
        fall: Int = 3
    ) {
        self.kind = kind
        self.interval = max(interval, .milliseconds(10))
        self.timeout = min(max(timeout, .milliseconds(1)), self.interval)
        self.rise = max(rise, 1)
        self.fall = max(fall, 1)
    }

    public var description: String {
        "\(kind) every \(interval) timeout \(timeout) rise \(rise) fall \(fall)"
    }
}
