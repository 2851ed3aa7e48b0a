import Health
import IPVS

/// Applies endpoint health to one Service's virtual servers. Pure.
///
/// An unhealthy real server is left out (`remove`) or kept with weight 0 (`inhibit`). When every real server of a
/// virtual server is unhealthy, the `keep` policy leaves them all in as the EndpointSlices list them (fail open),
/// and `remove` applies the action to all of them. Endpoints that are not probed, or not yet judged, count as
/// healthy.
public enum HealthFilter {
    /// The Service's output with health applied, and its summary.
    public static func apply(
        _ output: ServiceTranslator.Output,
        down: Set<HealthTarget>
    ) -> (ServiceTranslator.Output, HealthSummary) {
        guard let health = output.health else { return (output, HealthSummary()) }
        var summary = HealthSummary()
        for target in output.healthTargets {
            if down.contains(target) { summary.unhealthy += 1 } else { summary.healthy += 1 }
        }
        guard summary.unhealthy > 0 else { return (output, summary) }
        var result = output
        result.virtualServers = output.virtualServers.map { virtual in
            guard let probe = output.probes[virtual.key], !virtual.realServers.isEmpty else { return virtual }
            let unhealthy = virtual.realServers.keys.filter { endpoint in
                down.contains(HealthTarget(address: endpoint.address, port: endpoint.port, probe: probe))
            }
            guard !unhealthy.isEmpty else { return virtual }
            if unhealthy.count == virtual.realServers.count && health.allDown == .keep {
                summary.failedOpen += 1
                return virtual
            }
            var filtered = virtual
            switch health.action {
            case .remove:
                let removed = Set(unhealthy)
                filtered.realServers.removeAll { removed.contains($0.endpoint) }
            case .inhibit:
                for endpoint in unhealthy { filtered.realServers[endpoint]?.weight = 0 }
            }
            return filtered
        }
        return (result, summary)
    }
}
