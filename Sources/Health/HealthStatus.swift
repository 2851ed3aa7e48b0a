/// Whether an endpoint is taking traffic as far as its probes tell.
public enum HealthStatus: String, Sendable, Hashable, Codable {
    /// Healthy: new endpoints start here (Kubernetes already calls them ready), and return after `rise` successes.
    case up
    /// Unhealthy: `fall` probes in a row failed.
    case down
}
