import Foundation
import Health
import Logging
import Kube

extension ReconcileLoop {
    /// Applies one probe verdict to the desired state, logs it once, and counts it.
    mutating func applyHealth(_ transition: HealthTransition) -> DesiredStateTracker.Touched {
        let services = tracker.users(of: transition.target)
        guard !services.isEmpty else { return DesiredStateTracker.Touched() }
        let wasDown = tracker.downTargets.contains(transition.target)
        let touched = tracker.applyHealth(transition)
        guard wasDown != (transition.status == .down) else { return touched }
        healthChanged = true
        switch transition.status {
        case .down: downSince[transition.target] = (Date().timeIntervalSince1970, transition.reason)
        case .up: downSince[transition.target] = nil
        }
        let names = services.sorted().map(\.description).joined(separator: ",")
        var metadata: Logger.Metadata = [
            "endpoint": "\(transition.target.endpoint)", "probe": "\(transition.target.probe.kind.name)",
            "services": "\(names)",
        ]
        if let reason = transition.reason { metadata["reason"] = "\(reason)" }
        if transition.status == .down {
            logger.warning("real server unhealthy", metadata: metadata)
        } else {
            logger.notice("real server healthy again", metadata: metadata)
        }
        for service in services { health?.metrics?.transition(service, to: transition.status) }
        return touched
    }

    /// Sends new and departed endpoints to the prober; afterwards, when anything about health changed, updates
    /// the per-Service gauges and the state file.
    mutating func publishHealth() {
        let changes = tracker.takeHealthTargetChanges()
        if !changes.isEmpty {
            health?.sink.update(changes)
            healthChanged = true
            for (target, users) in changes where users.isEmpty { downSince[target] = nil }
        }
        guard healthChanged else { return }
        healthChanged = false
        guard let health else { return }
        if let metrics = health.metrics {
            let summaries = tracker.healthSummaries
            for service in Set(summaries.keys).union(reportedSummaries.keys)
            where summaries[service] != reportedSummaries[service] {
                metrics.summary(service, summaries[service])
            }
            reportedSummaries = summaries
        }
        guard let path = health.stateFile else { return }
        let report = HealthStateReport(
            written: Date().timeIntervalSince1970,
            probed: tracker.healthTargets.count,
            services: tracker.healthSummaries.sorted { $0.key < $1.key }.map { service, summary in
                HealthStateReport.ServiceHealth(
                    service: service.description, healthy: summary.healthy, unhealthy: summary.unhealthy,
                    failedOpen: summary.failedOpen
                )
            },
            unhealthy: tracker.downTargets.sorted().map { target in
                HealthStateReport.Endpoint(
                    address: target.address.description, port: target.port, probe: target.probe.kind.name,
                    reason: downSince[target]?.reason, since: downSince[target]?.since,
                    services: tracker.users(of: target).sorted().map(\.description)
                )
            }
        )
        do {
            try report.write(to: path)
        } catch {
            logger.warning("could not write the health state file", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }
}
