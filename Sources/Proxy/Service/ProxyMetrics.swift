import Kube
import Metrics
import Foundation
import IPVS

/// The proxy's metrics, created once through swift-metrics (the CLI bootstraps a Prometheus backend). Labels
/// are few and bounded: the pass kind, the kernel operation kind, the kernel's reason for a refusal, the diagnostic
/// code; never an address.
public struct ProxyMetrics: Sendable {
    /// How long a pass took, by `kind` (full, partial).
    let fullSyncDuration: CoreMetrics.Timer
    let partialSyncDuration: CoreMetrics.Timer
    /// Unix time of the last pass that ran to its end (kube-proxy's last sync: refusals included).
    let lastSync: Gauge
    /// Object changes seen but not yet programmed.
    let pendingChanges: Gauge
    /// From an object change being seen to the kernel holding it.
    let networkProgramming: CoreMetrics.Timer
    /// Kernel operations refused, by kind.
    let errors: [String: Counter]
    /// Kernel operations refused, by the kernel's reason (every attempt counts).
    let refusals: [String: Counter]
    /// Virtual servers waiting for a retry after a refusal, by reason.
    let retrying: [String: Gauge]
    /// Virtual and real servers the proxy owns in the kernel.
    let virtualServers: Gauge
    let realServers: Gauge
    /// Services with a problem the proxy worked around, by diagnostic code.
    let diagnostics: [ServiceDiagnostic.Code: Gauge]
    /// Inputs waiting for the reconcile loop (after coalescing).
    let inboxDepth: Gauge
    /// 1 while the first sync is held back (an empty source and owned virtual servers), else 0.
    let heldBack: Gauge
    /// How long the last complete periodic resync took, first slice to last (`--kernel-read-cpu` paces it).
    let resyncDuration: Gauge

    /// The error kinds: the operation's verb and object, or a VIP link change, or a table read.
    public static let errorKinds = [
        "add_virtual_server", "update_virtual_server", "delete_virtual_server", "add_real_server", "update_real_server",
        "delete_real_server", "bind_address", "unbind_address", "read_table",
    ]

    /// The reasons of refusals: the codes of `IPVSError` for an operation (anything else counts as `other`).
    public static let refusalReasons = [
        "alreadyExists", "notFound", "unknownScheduler", "invalidArgument", "busy", "permissionDenied", "transport",
        "timeout", "malformedReply", "other",
    ]

    /// Metric names, for docs and tests.
    public enum Name {
        public static let syncDuration = "ipvs_proxy_sync_duration_seconds"
        public static let lastSync = "ipvs_proxy_last_sync_timestamp_seconds"
        public static let pendingChanges = "ipvs_proxy_pending_changes"
        public static let networkProgramming = "ipvs_proxy_network_programming_duration_seconds"
        public static let kernelErrors = "ipvs_proxy_kernel_errors_total"
        public static let kernelRefusals = "ipvs_proxy_kernel_refusals_total"
        public static let retryingVirtualServers = "ipvs_proxy_retrying_virtual_servers"
        public static let virtualServers = "ipvs_proxy_virtual_servers"
        public static let realServers = "ipvs_proxy_real_servers"
        public static let serviceDiagnostics = "ipvs_proxy_service_diagnostics"
        public static let heldBack = "ipvs_proxy_first_sync_held_back"
        public static let inboxDepth = "ipvs_proxy_inbox_depth"
        public static let resyncDuration = "ipvs_proxy_resync_duration_seconds"
    }

    /// The metrics, made through `factory` (the bootstrapped backend unless a test gives its own).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        fullSyncDuration = Timer(label: Name.syncDuration, dimensions: [("kind", "full")], factory: factory)
        partialSyncDuration = Timer(label: Name.syncDuration, dimensions: [("kind", "partial")], factory: factory)
        lastSync = Gauge(label: Name.lastSync, factory: factory)
        pendingChanges = Gauge(label: Name.pendingChanges, factory: factory)
        networkProgramming = Timer(label: Name.networkProgramming, factory: factory)
        errors = Dictionary(
            uniqueKeysWithValues: Self.errorKinds.map {
                ($0, Counter(label: Name.kernelErrors, dimensions: [("kind", $0)], factory: factory))
            })
        refusals = Dictionary(
            uniqueKeysWithValues: Self.refusalReasons.map {
                ($0, Counter(label: Name.kernelRefusals, dimensions: [("reason", $0)], factory: factory))
            })
        retrying = Dictionary(
            uniqueKeysWithValues: Self.refusalReasons.map {
                ($0, Gauge(label: Name.retryingVirtualServers, dimensions: [("reason", $0)], factory: factory))
            })
        virtualServers = Gauge(label: Name.virtualServers, factory: factory)
        heldBack = Gauge(label: Name.heldBack, factory: factory)
        inboxDepth = Gauge(label: Name.inboxDepth, factory: factory)
        resyncDuration = Gauge(label: Name.resyncDuration, factory: factory)
        realServers = Gauge(label: Name.realServers, factory: factory)
        diagnostics = Dictionary(
            uniqueKeysWithValues: ServiceDiagnostic.Code.allCases.map {
                ($0, Gauge(label: Name.serviceDiagnostics, dimensions: [("code", $0.rawValue)], factory: factory))
            })
    }

    /// The kind label of an operation: `add_virtual_server`, `delete_real_server`, ...
    public static func kind(of operation: IPVSOperation) -> String {
        switch operation {
        case .addVirtualServer: "add_virtual_server"
        case .updateVirtualServer: "update_virtual_server"
        case .deleteVirtualServer: "delete_virtual_server"
        case .addRealServer: "add_real_server"
        case .updateRealServer: "update_real_server"
        case .deleteRealServer: "delete_real_server"
        }
    }

    /// Records one pass.
    func recorded(_ report: SyncReport, full: Bool, wall: Duration) {
        (full ? fullSyncDuration : partialSyncDuration).recordNanoseconds(Self.nanoseconds(wall))
        counted(report)
        if report.completed { lastSync.record(Date().timeIntervalSince1970) }
    }

    /// Counts a pass's refused operations and failed address changes.
    func counted(_ report: SyncReport) {
        for (operation, error) in report.failures {
            errors[Self.kind(of: operation)]?.increment()
            (refusals[error.code.rawValue] ?? refusals["other"])?.increment()
        }
        for address in report.addressFailures.keys {
            errors[report.plan.bind.contains(address) ? "bind_address" : "unbind_address"]?.increment()
        }
    }

    /// Records the virtual servers waiting for a retry, by reason.
    func retrying(_ byReason: [String: Int]) {
        var counts = byReason.filter { retrying[$0.key] != nil }
        counts["other", default: 0] += byReason.filter { retrying[$0.key] == nil }.values.reduce(0, +)
        for (reason, gauge) in retrying { gauge.record(counts[reason] ?? 0) }
    }

    /// Records a failed read of the kernel's table.
    func readFailed() { errors["read_table"]?.increment() }

    /// Records what the proxy owns now.
    func owned(virtualServers: Int, realServers: Int) {
        self.virtualServers.record(virtualServers)
        self.realServers.record(realServers)
    }

    /// Records the number of Services with each diagnostic.
    func diagnosed(_ counts: [ServiceDiagnostic.Code: Int]) {
        for (code, gauge) in diagnostics { gauge.record(counts[code] ?? 0) }
    }

    /// Records the changes waiting and, after a pass, how long each took to reach the kernel.
    func pending(_ count: Int) { pendingChanges.record(count) }

    func programmed(seen: [ContinuousClock.Instant], at now: ContinuousClock.Instant) {
        for instant in seen { networkProgramming.recordNanoseconds(Self.nanoseconds(now - instant)) }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}

extension ProxyMetrics: ReconcileObserver {
    /// Records passes, failed re-reads, the changes waiting and the Services' problems.
    public func observe(_ report: ReconcileReport) async {
        switch report {
        case .pass(let pass):
            let now = ContinuousClock.now
            recorded(pass.sync, full: pass.full, wall: pass.wall)
            owned(virtualServers: pass.ownedVirtualServers, realServers: pass.ownedRealServers)
            heldBack.record(0)
            retrying(pass.retrying)
            if pass.sync.completed {
                programmed(seen: pass.programmedSeen, at: now)
                pending(0)
            }
        case .passAhead(let pass):
            // Not a sync of the whole state: no duration, no last-sync time; what it refused and made is counted.
            counted(pass.sync)
            owned(virtualServers: pass.ownedVirtualServers, realServers: pass.ownedRealServers)
        case .readFailed:
            readFailed()
        case .resynced(_, let wall, _):
            resyncDuration.record(Double(Self.nanoseconds(wall)) / 1e9)
        case .heldBack:
            heldBack.record(1)
        case .pending(let count):
            pending(count)
        case .diagnostics(_, let counts):
            diagnosed(counts)
        case .changes, .healthTargets, .healthTransition, .health, .nodeEligible, .healthCheckNodePorts, .firstPassDue:
            break
        }
    }
}
