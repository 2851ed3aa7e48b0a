/// How a Service's probed endpoints fare, for metrics and status.
public struct HealthSummary: Sendable, Hashable {
    /// Probed endpoints that are up.
    public var healthy = 0
    /// Probed endpoints that are down.
    public var unhealthy = 0
    /// Virtual servers whose real servers are all down and kept anyway (the `keep` all-down policy).
    public var failedOpen = 0

    /// A summary.
    public init(healthy: Int = 0, unhealthy: Int = 0, failedOpen: Int = 0) {
        self.healthy = healthy
        self.unhealthy = unhealthy
        self.failedOpen = failedOpen
    }
}
