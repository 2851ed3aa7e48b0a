import Values
import Health
import IPVS
import Kube

/// What the reconcile loop tells the observers beside it (logs, metrics, /healthz, nftables, the prober, the
/// health state file) after handling a batch. The loop decides; observers only act on what it reports.
public enum ReconcileReport: Sendable {
    /// A pass over the kernel ran.
    case pass(PassReport)
    /// A pass ahead of the first full one (``ReconcileLoop/programsAhead``): the additions of the initial state read
    /// so far, over the virtual servers and addresses it touched, were applied
    /// (``Reconciler/sync(_:scope:additionsOnly:now:)``). Observers that keep something in step with the kernel (the
    /// nftables sets) may add theirs; the pass's refusals are retried, and reported, by the passes that follow.
    case passAhead(PassReport)
    /// The first full pass is about to run over this desired state, the source's whole initial state: an observer
    /// whose work needs only the desired state (the nftables table) may do it now, beside the pass, whose own
    /// report follows. Sent only by a loop asked to (``ReconcileLoop/announcesFirstPass``).
    case firstPassDue(DesiredState)
    /// The periodic re-read of the kernel's table failed (the error, as text); what is known is kept.
    case readFailed(String)
    /// A periodic resync re-read every virtual server it set out to (`virtualServers`): `wall` from its first slice
    /// to its last, and `cpu` of the loop thread over its slices.
    case resynced(virtualServers: Int, wall: Duration, cpu: Duration)
    /// Object changes seen and not yet programmed.
    case pending(Int)
    /// Service or EndpointSlice changes arrived in this batch (a pass is queued): the counts so far.
    case changes(ObjectChangeCounts)
    /// The source's whole input holds nothing while the proxy owns `owned` virtual servers: the first sync is
    /// held back, so that an empty or mistaken input never empties the kernel (`--allow-empty-source` forces it).
    /// Reported on every batch held (`first` on the first of them: log it then); the sync goes ahead as soon as
    /// the input holds something. A deliberate wait, so /healthz counts it as up to date: a restart would not help.
    case heldBack(owned: Int, first: Bool)
    /// Services' problems changed: `changed` holds, by Service, the problems not reported before (each is reported
    /// there once), `counts` how many Services have each kind of problem now (a kind absent: none).
    case diagnostics(changed: [ObjectKey: [ServiceDiagnostic]], counts: [ServiceDiagnostic.Code: Int])
    /// Endpoints whose users changed, with their users now; an empty set means: stop probing it.
    case healthTargets([HealthTarget: Set<ObjectKey>])
    /// A probed endpoint changed status, as the desired state took it; `services` use it.
    case healthTransition(HealthTransition, services: [ObjectKey])
    /// Health changed: the summaries of the Services whose summary changed (nil: no longer checked), and the
    /// whole picture as `ipvs-proxy status` reads it.
    case health(changedSummaries: [ObjectKey: HealthSummary?], state: HealthStateReport)
    /// This node's eligibility changed (kube-proxy's `NodeEligible`, for /healthz): false while the Node is being
    /// deleted or tainted `ToBeDeletedByClusterAutoscaler`, or once it is deleted.
    case nodeEligible(Bool)
    /// Health-check node ports changed, after the pass that programmed what they report: by Service, what its port
    /// answers now (nil: it needs none any more).
    case healthCheckNodePorts([ObjectKey: HealthCheckNodePort?])
}

/// One pass, as the loop ran it.
public struct PassReport: Sendable {
    /// What the reconciler did.
    public var sync: SyncReport
    /// A full pass: the first, or a periodic resync's first slice (which re-read the VIP link and planned every
    /// address it and the desired state disagree on); otherwise only `touched` was planned.
    public var full: Bool
    /// The virtual servers the pass looked at, or for a resync's first slice those it changed; nil for the first
    /// full pass (all of them), after which observers rebuild what they keep from the whole desired state.
    public var touched: Set<VirtualServerKey>?
    /// The VIP-link addresses the pass looked at (empty for a full pass, which looks at all).
    public var touchedAddresses: Set<IPAddress> = []
    /// The desired state after the pass.
    public var desired: DesiredState
    /// Object changes the pass took (all those pending since the last pass that ran to its end).
    public var objectChanges: Int
    /// When each of those changes was seen; empty unless the pass ran to its end (refusals included).
    public var programmedSeen: [ContinuousClock.Instant]
    /// The Service port each desired virtual server serves (for the per-Service traffic metrics); kept by the
    /// desired state as it changes, not recomputed per pass.
    public var servicePorts: [VirtualServerKey: ServiceMap.ServicePort] = [:]
    /// The trigger times (`endpoints.kubernetes.io/last-change-trigger-time`, Unix seconds) of the EndpointSlice
    /// changes programmed by this pass; empty unless it ran to its end.
    public var programmedTriggerTimes: [Double] = []
    /// Wall-clock and CPU time of the batch up to the end of the pass.
    public var wall: Duration
    public var cpu: Duration
    /// Real servers draining after the pass.
    public var draining: Int
    /// Virtual and real servers the proxy owns in the kernel after the pass.
    public var ownedVirtualServers: Int
    public var ownedRealServers: Int
    /// Virtual servers waiting for a retry after the pass, by the code of the kernel's answer (`invalidArgument`,
    /// `notFound`, ...).
    public var retrying: [String: Int] = [:]
    /// Failures that are news and belong to no Service's diagnostics (a virtual server no Service wants any more,
    /// or a failed exchange with the kernel): the log reports these once; the Services' refusals arrive as
    /// `.diagnostics`.
    public var unattributed: [IPVSOperation: IPVSError] = [:]
    /// On the first full pass after passes ahead of it (``ReconcileReport/passAhead(_:)``): what they did, and the
    /// time from the first of them to this pass.
    var ahead: ReconcileLoop.AheadTally?
    var aheadSeconds: Duration?
}

/// kube-proxy's change counts: Service and EndpointSlice changes seen since the start, and those not yet
/// programmed (reset when a pass runs to its end).
public struct ObjectChangeCounts: Sendable, Hashable {
    /// Service changes seen.
    public var services = 0
    /// EndpointSlice changes seen.
    public var endpointSlices = 0
    /// Service changes not yet programmed.
    public var pendingServices = 0
    /// EndpointSlice changes not yet programmed.
    public var pendingEndpointSlices = 0

    /// No changes.
    public init() {}
}

/// Something beside the reconcile loop that acts on its reports. Observers are called one after another, in
/// order, on the loop's task, before the next batch is handled.
public protocol ReconcileObserver: Sendable {
    /// Runs once, after the kernel's table is adopted and before the first pass (nothing by default).
    mutating func start() async
    /// Acts on one report.
    mutating func observe(_ report: ReconcileReport) async
}

extension ReconcileObserver {
    public mutating func start() async {}
}

extension Array where Element == any ReconcileObserver {
    /// Starts every observer, in order.
    mutating func start() async {
        for index in indices { await self[index].start() }
    }

    /// Hands every report, in order, to every observer.
    mutating func deliver(_ reports: [ReconcileReport]) async {
        for report in reports {
            for index in indices { await self[index].observe(report) }
        }
    }
}
