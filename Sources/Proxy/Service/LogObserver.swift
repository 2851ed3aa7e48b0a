import Logging

/// Logs what the reconcile loop reports: each pass (with what it cost), refused operations and Services' problems
/// once (when they appear or change, never at each retry), failed re-reads, and endpoints changing health.
public struct LogObserver: ReconcileObserver {
    let logger: Logger

    /// Logs through `logger`.
    public init(logger: Logger) {
        self.logger = logger
    }

    public func observe(_ report: ReconcileReport) async {
        switch report {
        case .pass(let pass):
            log(pass)
        case .passAhead(let pass):
            let report = pass.sync
            logger.debug(
                "programmed ahead of the whole initial state (additions only)",
                metadata: [
                    "operations": "\(report.plan.operations.count)", "bind": "\(report.plan.bind.count)",
                    "failed": "\(report.failures.count + report.addressFailures.count)",
                    "seconds": "\(pass.wall.secondsText)", "cpuSeconds": "\(pass.cpu.secondsText)",
                ])
        case .heldBack(let owned, let first):
            guard first else { break }
            logger.error(
                """
                not syncing: the source holds no Service while the proxy owns \(owned) virtual servers; the kernel is \
                left as it is until the source holds something (--allow-empty-source syncs an empty source)
                """,
                metadata: ["owned": "\(owned)"])
        case .readFailed(let error):
            logger.error("could not re-read the kernel's table; keeping what is known", metadata: ["error": "\(error)"])
        case .resynced(let virtualServers, let wall, let cpu):
            logger.debug(
                "resync done",
                metadata: [
                    "virtualServers": "\(virtualServers)", "seconds": "\(wall.secondsText)",
                    "cpuSeconds": "\(cpu.secondsText)",
                ])
        case .diagnostics(let changed, _):
            for (service, diagnostics) in changed.sorted(by: { $0.key < $1.key }) {
                for diagnostic in diagnostics {
                    // The operator's policy at work is news, not a fault: a notice.
                    logger.log(
                        level: diagnostic.code.isPolicyNotice ? .notice : .warning, "\(diagnostic)",
                        metadata: ["service": "\(service)", "code": "\(diagnostic.code.rawValue)"])
                }
            }
        case .healthTransition(let transition, let services):
            var metadata: Logger.Metadata = [
                "endpoint": "\(transition.target.endpoint)", "probe": "\(transition.target.probe.kind.name)",
                "services": "\(services.map(\.description).joined(separator: ","))",
            ]
            if let reason = transition.reason { metadata["reason"] = "\(reason)" }
            if transition.status == .down {
                logger.warning("real server unhealthy", metadata: metadata)
            } else {
                logger.notice("real server healthy again", metadata: metadata)
            }
        case .nodeEligible(let eligible):
            // kube-proxy's /healthz turns 503 on a node being deleted: load balancers stop sending to it.
            if eligible {
                logger.info("node eligible for traffic (/healthz)")
            } else {
                logger.notice(
                    """
                    node being deleted (deletionTimestamp, ToBeDeletedByClusterAutoscaler taint, or deleted): /healthz \
                    answers 503
                    """)
            }
        case .pending, .changes, .healthTargets, .health, .healthCheckNodePorts, .firstPassDue:
            break
        }
    }

    /// Logs a pass; its cost is the wall-clock and CPU time of the loop's thread while it ran.
    private func log(_ pass: PassReport) {
        let report = pass.sync
        // Refusals are logged once, when they are news; those of a Service's virtual servers as its diagnostics.
        for (operation, error) in pass.unattributed.sorted(by: { $0.key.description < $1.key.description }) {
            logger.error(
                "kernel refused an operation; it is retried with backoff",
                metadata: ["operation": "\(operation)", "error": "\(error)"])
        }
        for (address, error) in report.addressFailures {
            logger.error("could not change the VIP link", metadata: ["address": "\(address)", "error": "\(error)"])
        }
        guard !report.plan.isEmpty || pass.full else { return }
        // A retry that the kernel refused again, with nothing else in the pass, is no news.
        let news =
            pass.full || pass.objectChanges > 0 || report.failures.count < report.plan.operations.count
            || !report.plan.bind.isEmpty || !report.plan.unbind.isEmpty
        var ahead: Logger.Metadata = [:]
        if let tally = pass.ahead {
            // The first full pass after passes ahead of it: what they did while the initial state was read.
            ahead = [
                "aheadPasses": "\(tally.passes)", "aheadOperations": "\(tally.operations)",
                "aheadBind": "\(tally.bound)", "aheadPassSeconds": "\(tally.wall.secondsText)",
                "aheadCPUSeconds": "\(tally.cpu.secondsText)",
                "aheadSinceSeconds": "\((pass.aheadSeconds ?? .zero).secondsText)",
            ]
        }
        logger.log(
            level: news ? .info : .debug,
            "\(pass.full ? "full sync" : "sync")",
            metadata: ahead.merging([
                "objectChanges": "\(pass.objectChanges)",
                "operations": "\(report.plan.operations.count)",
                "bind": "\(report.plan.bind.count)",
                "unbind": "\(report.plan.unbind.count)",
                "failed": "\(report.failures.count + report.addressFailures.count)",
                "draining": "\(pass.draining)",
                "retrying": "\(pass.retrying.values.reduce(0, +))",
                "seconds": "\(pass.wall.secondsText)",
                "cpuSeconds": "\(pass.cpu.secondsText)",
                "planSeconds": "\(report.timing.plan.secondsText)",
                "bindSeconds": "\(report.timing.bind.secondsText)",
                "applySeconds": "\(report.timing.apply.secondsText)",
            ]) { first, _ in first }
        )
    }
}
