import Health
import IPVS
import Kube
import Logging

/// The decisions of the reconcile loop, apart from its concurrency: a plain struct fed batches of inputs.
struct ReconcileLoop {
    /// What handling one batch led to.
    struct Outcome {
        /// True once the first full pass (after the source's initial state) has run.
        var firstSyncDone: Bool
    }

    /// The source's stream ended while the proxy was running.
    struct SourceEnded: Error, CustomStringConvertible {
        var description: String { "the object source stopped delivering events" }
    }

    var reconciler: Reconciler
    var tracker: DesiredStateTracker
    let syncPeriod: Duration
    let logger: Logger
    /// The masquerading rules, brought in step after each pass; nil when the proxy writes no nftables.
    var masquerade: MasqueradeSync? = nil
    var synced = false
    var touched = DesiredStateTracker.Touched()
    var lastFullSync: ContinuousClock.Instant?
    var reportedDiagnostics: [ObjectKey: [ServiceDiagnostic]] = [:]
    /// The prober, metrics and state file; nil when no Service is health-checked by this process.
    var health: HealthWiring?
    var healthChanged = false
    var downSince: [HealthTarget: (since: Double, reason: String?)] = [:]
    var reportedSummaries: [ObjectKey: HealthSummary] = [:]

    mutating func handle(_ inputs: [Inbox.Input], now: ContinuousClock.Instant) throws -> Outcome {
        let clock = ContinuousClock()
        let (start, startCPU) = (clock.now, ThreadCPUTime.now())
        let cost = { (clock.now - start, ThreadCPUTime.now() - startCPU) }
        var fullSync = false
        var changes = 0
        for input in inputs {
            switch input {
            case .event(.change(let change)):
                touched.formUnion(tracker.apply(change))
                changes += 1
            case .event(.synced):
                if !synced { fullSync = true }
                synced = true
            case .tick:
                if let lastFullSync, now - lastFullSync >= syncPeriod { fullSync = true }
            case .health(let transition):
                touched.formUnion(applyHealth(transition))
            case .sourceEnded:
                throw SourceEnded()
            }
        }
        publishHealth()
        guard synced else { return Outcome(firstSyncDone: false) }
        reportDiagnostics()
        if fullSync {
            do {
                try reconciler.adopt()
            } catch {
                logger.error("could not re-read the kernel's table; keeping what is known", metadata: ["error": "\(error)"])
            }
            let report = reconciler.sync(tracker.desired, scope: .all, now: now)
            log(report, changes: changes, full: true, cost: cost())
            syncMasquerade(touched: nil)
            touched = DesiredStateTracker.Touched()
            lastFullSync = now
        } else if !touched.isEmpty || reconciler.termination.pendingCount > 0 || !reconciler.suspect.isEmpty {
            let scope = PlanScope.only(virtualServers: touched.virtualServers, addresses: touched.addresses)
            let report = reconciler.sync(tracker.desired, scope: scope, now: now)
            log(report, changes: changes, full: false, cost: cost())
            syncMasquerade(touched: touched.virtualServers)
            touched = DesiredStateTracker.Touched()
        }
        return Outcome(firstSyncDone: lastFullSync != nil)
    }

    /// Logs a pass; `cost` is its wall-clock and CPU time (this thread: the pass runs synchronously on it).
    private func log(_ report: SyncReport, changes: Int, full: Bool, cost: (wall: Duration, cpu: Duration)) {
        for (operation, error) in report.failures.sorted(by: { $0.key.description < $1.key.description }) {
            logger.error("kernel refused an operation", metadata: ["operation": "\(operation)", "error": "\(error)"])
        }
        for (address, error) in report.addressFailures {
            logger.error("could not change the VIP link", metadata: ["address": "\(address)", "error": "\(error)"])
        }
        guard !report.plan.isEmpty || full else { return }
        logger.info(
            full ? "full sync" : "sync",
            metadata: [
                "objectChanges": "\(changes)",
                "operations": "\(report.plan.operations.count)",
                "bind": "\(report.plan.bind.count)",
                "unbind": "\(report.plan.unbind.count)",
                "failed": "\(report.failures.count + report.addressFailures.count)",
                "draining": "\(reconciler.termination.pendingCount)",
                "seconds": "\(ThreadCPUTime.seconds(cost.wall))",
                "cpuSeconds": "\(ThreadCPUTime.seconds(cost.cpu))",
                "planSeconds": "\(ThreadCPUTime.seconds(report.timing.plan))",
                "bindSeconds": "\(ThreadCPUTime.seconds(report.timing.bind))",
                "applySeconds": "\(ThreadCPUTime.seconds(report.timing.apply))",
            ]
        )
    }

    /// Brings the nftables table in step with the desired state (nil: a full pass) and logs what it did.
    private mutating func syncMasquerade(touched: Set<VirtualServerKey>?) {
        guard var masquerade else { return }
        let clock = ContinuousClock()
        let start = clock.now
        let action = masquerade.sync(tracker.desired, touched: touched)
        let seconds = Logger.MetadataValue.string(ThreadCPUTime.seconds(clock.now - start))
        self.masquerade = masquerade
        let table = masquerade.configuration.table
        switch action {
        case .unchanged:
            break
        case .replaced(let elements):
            logger.info(
                "nftables table written",
                metadata: ["table": "\(table)", "elements": "\(elements)", "seconds": seconds])
        case .updated(let added, let removed):
            logger.debug(
                "nftables sets updated",
                metadata: ["table": "\(table)", "added": "\(added)", "removed": "\(removed)", "seconds": seconds])
        case .failed(let error):
            logger.error(
                "could not write the masquerading rules; the whole table is rewritten on the next pass",
                metadata: ["table": "\(table)", "error": "\(error)"])
        }
    }

    /// Logs each Service's problems once, when they appear or change.
    private mutating func reportDiagnostics() {
        guard tracker.diagnostics != reportedDiagnostics else { return }
        for (service, diagnostics) in tracker.diagnostics where reportedDiagnostics[service] != diagnostics {
            for diagnostic in diagnostics {
                logger.warning("\(diagnostic)", metadata: ["service": "\(service)", "code": "\(diagnostic.code.rawValue)"])
            }
        }
        reportedDiagnostics = tracker.diagnostics
    }
}
