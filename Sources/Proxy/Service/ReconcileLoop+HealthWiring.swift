import Health

extension ReconcileLoop {
    /// Where health goes besides the desired state: the prober, metrics, the state file for `status`.
    struct HealthWiring {
        /// Receives the endpoints to probe.
        var sink: any HealthTargetSink
        /// Per-Service health metrics; nil: none.
        var metrics: HealthMetrics?
        /// The state file's path; nil: none written.
        var stateFile: String?
    }
}
