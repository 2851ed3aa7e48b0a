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
        /// Work was held back by `minSyncPeriod`: call again (with a tick) at this time.
        var wakeAt: ContinuousClock.Instant? = nil
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
    /// The least time between two passes (`--min-sync-period`); work arriving sooner waits, accumulated.
    var minSyncPeriod: Duration = .zero
    /// Where passes are counted and timed; nil records nothing.
    var metrics: ProxyMetrics? = nil
    /// kube-proxy's health rule for /healthz, fed by passes that programmed everything.
    var healthz: ProxyHealthRecorder? = nil
    /// When the last pass ran.
    var lastPass: ContinuousClock.Instant?
    /// When each change not yet programmed was seen (for the network-programming latency).
    var pendingSeen: [ContinuousClock.Instant] = []
    /// Object changes not yet programmed.
    var pendingChanges = 0

    /// Handles a batch of inputs; `seen` holds when each object change among them arrived.
    mutating func handle(
        _ inputs: [Inbox.Input], now: ContinuousClock.Instant, seen: [ContinuousClock.Instant] = []
    ) throws -> Outcome {
        pendingSeen += seen
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
        pendingChanges += changes
        metrics?.pending(pendingChanges)
        guard synced else { return Outcome(firstSyncDone: false) }
        reportDiagnostics()
        let work = !touched.isEmpty || reconciler.termination.pendingCount > 0 || !reconciler.suspect.isEmpty
        if !fullSync && work, lastFullSync != nil, let lastPass, now - lastPass < minSyncPeriod {
            return Outcome(firstSyncDone: true, wakeAt: lastPass + minSyncPeriod)
        }
        if fullSync {
            do {
                try reconciler.adopt()
            } catch {
                metrics?.readFailed()
                logger.error("could not re-read the kernel's table; keeping what is known", metadata: ["error": "\(error)"])
            }
            let report = reconciler.sync(tracker.desired, scope: .all, now: now)
            syncMasquerade(touched: nil)
            finish(report, changes: pendingChanges, full: true, cost: cost(), now: now)
            lastFullSync = now
        } else if work {
            let scope = PlanScope.only(virtualServers: touched.virtualServers, addresses: touched.addresses)
            let report = reconciler.sync(tracker.desired, scope: scope, now: now)
            syncMasquerade(touched: touched.virtualServers)
            finish(report, changes: pendingChanges, full: false, cost: cost(), now: now)
        }
        return Outcome(firstSyncDone: lastFullSync != nil)
    }

    /// After a pass: log it, record it, and when everything took effect, mark the changes programmed.
    private mutating func finish(
        _ report: SyncReport, changes: Int, full: Bool, cost: (wall: Duration, cpu: Duration),
        now: ContinuousClock.Instant
    ) {
        log(report, changes: changes, full: full, cost: cost)
        touched = DesiredStateTracker.Touched()
        lastPass = now
        metrics?.recorded(report, full: full, wall: cost.wall)
        if let metrics {
            let owned = reconciler.actual.virtualServers.filter { reconciler.ownership.owns($0.key) }
            metrics.owned(
                virtualServers: owned.count, realServers: owned.values.reduce(0) { $0 + $1.realServers.count })
        }
        if report.succeeded {
            metrics?.programmed(seen: pendingSeen, at: ContinuousClock.now)
            pendingSeen = []
            pendingChanges = 0
            metrics?.pending(0)
            healthz?.updated()
        }
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
        metrics?.diagnosed(reportedDiagnostics)
    }
}
