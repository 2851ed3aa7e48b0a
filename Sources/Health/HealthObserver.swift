/// Sees every probe's result, on the prober's event loop: keep it cheap (metrics, counters).
public protocol HealthObserver: Sendable {
    /// One probe finished: whether it succeeded and how long it took.
    func probed(_ target: HealthTarget, success: Bool, latency: Duration)
}
