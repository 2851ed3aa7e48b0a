import Values
import Health
import Kube
import Metrics

/// The health checks' metrics, per Service (`service` = namespace/name; never an endpoint address):
/// - `ipvs_proxy_health_real_servers{service,state=healthy|unhealthy}`: probed endpoints by status (gauge);
/// - `ipvs_proxy_health_probe_duration_seconds{service}`: probe latency (timer, a histogram in most backends);
/// - `ipvs_proxy_health_transitions_total{service,to=up|down}`: status changes.
///
/// Each metric object is created once per Service and reused; when a Service is no longer checked (deleted, or its
/// health check removed), its series are destroyed, so they leave the scrape. Probe results arrive on the prober's
/// loop, so the map from endpoint to its Services' timers sits behind a lock.
public final class HealthMetrics: HealthObserver, Sendable {
    private struct State {
        var timers: [ObjectKey: Timer] = [:]
        var owners: [HealthTarget: [Timer]] = [:]
        var transitions: [String: Counter] = [:]
        var gauges: [String: Gauge] = [:]
    }

    private let state = Locked(State())
    private let factory: any MetricsFactory

    /// Metrics with no Service known yet, made through `factory` (the bootstrapped backend unless a test gives its
    /// own).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// Follows which Services use which endpoints (the same changes the prober gets).
    public func setUsers(_ changes: [HealthTarget: Set<ObjectKey>]) {
        state.withLock { state in
            for (target, users) in changes {
                guard !users.isEmpty else {
                    state.owners[target] = nil
                    continue
                }
                state.owners[target] = users.map { service in
                    if let timer = state.timers[service] { return timer }
                    let timer = Timer(
                        label: "ipvs_proxy_health_probe_duration_seconds",
                        dimensions: [("service", service.description)],
                        preferredDisplayUnit: .seconds,
                        factory: factory
                    )
                    state.timers[service] = timer
                    return timer
                }
            }
        }
    }

    public func probed(_ target: HealthTarget, success: Bool, latency: Duration) {
        let timers = state.withLock { $0.owners[target] ?? [] }
        let (seconds, attoseconds) = latency.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        for timer in timers { timer.recordNanoseconds(nanoseconds) }
    }

    /// Counts one status change of an endpoint of `service`.
    public func transition(_ service: ObjectKey, to status: HealthStatus) {
        let key = "\(service) \(status.rawValue)"
        let counter = state.withLock { state in
            if let counter = state.transitions[key] { return counter }
            let counter = Counter(
                label: "ipvs_proxy_health_transitions_total",
                dimensions: [("service", service.description), ("to", status.rawValue)],
                factory: factory
            )
            state.transitions[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Sets a Service's healthy and unhealthy counts; nil: it is no longer checked, and its series are removed.
    public func summary(_ service: ObjectKey, _ summary: HealthSummary?) {
        guard let summary else { return forget(service) }
        for (name, value) in [("healthy", summary.healthy), ("unhealthy", summary.unhealthy)] {
            let key = "\(service) \(name)"
            let gauge = state.withLock { state in
                if let gauge = state.gauges[key] { return gauge }
                let gauge = Gauge(
                    label: "ipvs_proxy_health_real_servers",
                    dimensions: [("service", service.description), ("state", name)],
                    factory: factory
                )
                state.gauges[key] = gauge
                return gauge
            }
            gauge.record(value)
        }
    }

    /// Destroys every series of `service` (its probe timer, transition counters and gauges).
    public func forget(_ service: ObjectKey) {
        let (timer, counters, gauges) = state.withLock { state in
            let timer = state.timers.removeValue(forKey: service)
            let counters = [HealthStatus.up, .down].compactMap {
                state.transitions.removeValue(forKey: "\(service) \($0.rawValue)")
            }
            let gauges = ["healthy", "unhealthy"].compactMap { state.gauges.removeValue(forKey: "\(service) \($0)") }
            if let timer {
                for (target, timers) in state.owners {
                    state.owners[target] = timers.filter { $0 !== timer }
                }
            }
            return (timer, counters, gauges)
        }
        timer?.destroy()
        for counter in counters { counter.destroy() }
        for gauge in gauges { gauge.destroy() }
    }
}

extension HealthMetrics: ReconcileObserver {
    /// Counts status changes and sets the Services' healthy and unhealthy counts.
    public func observe(_ report: ReconcileReport) async {
        switch report {
        case .healthTransition(let change, let services):
            for service in services { transition(service, to: change.status) }
        case .health(let changed, _):
            for (service, summary) in changed { self.summary(service, summary) }
        default:
            break
        }
    }
}
