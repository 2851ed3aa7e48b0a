import Foundation
import Health
import IPVS
import Kube
import Values

/// The decisions of the reconcile loop, apart from its concurrency and its observers: a plain struct fed
/// batches of inputs. It applies changes to the desired state, decides when a pass runs and over what, runs it
/// through the reconciler, and says what happened as `ReconcileReport`s; logs, metrics, nftables, the prober and
/// the health state file act on those (`ReconcileObserver`).
struct ReconcileLoop {
    /// What handling one batch led to.
    struct Outcome {
        /// True once the first full pass (after the source's initial state) has run.
        var firstSyncDone: Bool
        /// When the loop has timed work next (a pass held back by `minSyncPeriod`, a resync's next slice or the next
        /// resync, a draining real server's check or deadline, a refused virtual server's retry): call again, with a
        /// tick, at this time. Nil: nothing is timed, only an input can start work. No other tick is needed.
        var wakeAt: ContinuousClock.Instant? = nil
        /// The first sync is held back: the input holds nothing and the proxy owns virtual servers.
        var heldBack = false
        /// The first full pass is due and was announced (``ReconcileReport/firstPassDue(_:)``) instead of run: call
        /// again at once, with no inputs, to run it over the state announced.
        var firstPassDue = false
        /// The first full pass was announced while the kernel's table is still read (``adopting``): it runs once the
        /// table is in, and the observers may work on the announcement meanwhile.
        var firstPassAnnouncedAhead = false
        /// What happened, in order, for the observers.
        var reports: [ReconcileReport] = []
    }

    /// The codes of the loop's errors.
    enum ErrorCode: String, Values.ErrorCode {
        /// The object source's stream ended while the proxy was running.
        case sourceEnded
        /// `--once` found an empty source and owned virtual servers, and left the kernel as it is.
        case heldBack
        /// The kernel's table could not be read at start, or not within adoption's deadline
        /// (``ReconcileRoom/adopt(within:)``).
        case adoptionFailed
    }

    /// `--once` with an empty source and owned virtual servers: nothing was synced.
    static let heldBackOnce = CodedError<ErrorCode>(
        .heldBack,
        "the source holds no Service while the proxy owns virtual servers: nothing was synced and the kernel is "
            + "left as it is (--allow-empty-source syncs an empty source)")

    /// The source's stream ended while the proxy was running.
    static let sourceEnded = CodedError<ErrorCode>(.sourceEnded, "the object source stopped delivering events")

    var reconciler: Reconciler
    var tracker: DesiredStateTracker
    let syncPeriod: Duration
    var synced = false
    var touched = DesiredStateTracker.Touched()
    /// When the first full pass ran, then when the latest periodic resync began.
    var lastFullSync: ContinuousClock.Instant?
    /// The periodic resync under way; nil when none is.
    var resync: Resync?
    /// How long one slice may read the kernel (it reads one chunk at least). A change, an endpoint's status or the
    /// node's addresses arriving meanwhile end the slice at the chunk being read (``resyncInterrupt``), so this
    /// bounds the slice, not their wait; each slice has a pass and observers of its own, which the resync's CPU
    /// share does not count, so slices are made few and long.
    var resyncSlice: Duration = .milliseconds(20)
    /// How many virtual servers a slice asks the kernel for at once: what a change arriving during a slice waits
    /// for. 32 took 15-17 ms in the emulated lab (a change's own latency again), 8 take 4-5 ms.
    var resyncChunk = 8
    /// The share of one CPU the periodic resync may take (from `--kernel-read-cpu`): a slice that cost c of the
    /// loop thread's CPU is followed by the next no sooner than c / share after it began. Where a whole re-read
    /// costs less than that share of `syncPeriod`, a resync runs every period as kube-proxy's does; where it costs
    /// more (a large table on a slow CPU), a resync takes longer than the period, and the next starts when it ends.
    var resyncShare = CPUShare.whole
    /// Whether work waits for the loop (``Inbox/holdsChanges``): a resync slice stops reading at the next chunk's
    /// end when it does and leaves what it read to that work's pass (``resyncUnplanned``), so a change arriving
    /// during a slice waits for that chunk, not for the slice's whole reading time and a pass of its own.
    var resyncInterrupt: @Sendable () -> Bool = { false }
    /// The last batch ran a pass for changes and left the resync's due slice to this one (``handle(_:now:seen:)``).
    var sliceDeferred = false
    /// Virtual servers a resync slice read and left unplanned, because work arrived while it read
    /// (``resyncInterrupt``): the next pass plans them with that work, so a change waits for the chunk being read,
    /// never for a slice's pass and observers too.
    var resyncUnplanned: Set<VirtualServerKey> = []
    /// The table was read at start (``ReconcileRoom/adopt(within:)``): the first full pass does not read it again.
    var adopted = false
    /// The room reads the table on another thread (``ReconcileRoom/adopt(within:)``): batches meanwhile only go to the
    /// tracker, whose translation so overlaps the read; no pass runs, ahead or full, until the table is in.
    var adopting = false
    /// Adoption failed: the next batch throws it, which stops the loop (nothing is programmed without the table).
    var adoptionFailure: CodedError<ErrorCode>?
    /// Each Service's problems as last reported (``reportDiagnostics(_:)``).
    var diagnostics = DiagnosticsLedger()
    var healthChanged = false
    var downSince: [HealthTarget: (since: Double, reason: String?)] = [:]
    var reportedSummaries: [ObjectKey: HealthSummary] = [:]
    /// The least time between two passes (`--min-sync-period`); work arriving sooner waits, accumulated.
    var minSyncPeriod: Duration = .zero
    /// When the last pass ran.
    var lastPass: ContinuousClock.Instant?
    /// When each change not yet programmed was seen (for the network-programming latency).
    var pendingSeen: [ContinuousClock.Instant] = []
    /// Object changes not yet programmed.
    var pendingChanges = 0
    /// Service and EndpointSlice changes seen, and those not yet programmed (kube-proxy's counts).
    var changeCounts = ObjectChangeCounts()
    /// The trigger times (Unix seconds) of the EndpointSlice changes not yet programmed, by Service.
    var pendingTriggerTimes: [ObjectKey: [Double]] = [:]
    /// When the loop started (Unix seconds): older trigger times are not measured, as kube-proxy skips changes
    /// made before it started.
    var startTime = Date().timeIntervalSince1970
    /// `--allow-empty-source`: a first sync from an input that holds nothing may delete what the proxy owns.
    var allowEmptySource = false
    /// The first sync is being held back (an empty input, and virtual servers owned).
    var heldBack = false
    /// Until the first full pass, each batch's changes are programmed ahead, additions only
    /// (``passAhead(now:cost:)``). Asked for by the service; kept by ``ReconcileRoom/adopt(within:)`` only when the
    /// kernel holds nothing of the proxy's (a new or rebooted node).
    var programsAhead = false
    /// What the passes ahead did; reported with the first full pass.
    var ahead = AheadTally()
    /// Announce the first full pass before running it (``ReconcileReport/firstPassDue(_:)``), so that observers
    /// whose work needs only the desired state (the nftables table) do it beside the pass, not after it. Cleared
    /// once announced: the next call runs the pass.
    var announcesFirstPass = false
    /// The first pass was announced while the table was read (``adopting``), the initial state complete: inputs
    /// applied since ask for it to be announced again, over the state it will run, once the table is in.
    var announcedWhileAdopting = false

    /// A loop applying through `reconciler`.
    init(
        reconciler: Reconciler, tracker: DesiredStateTracker, syncPeriod: Duration, minSyncPeriod: Duration = .zero
    ) {
        self.reconciler = reconciler
        self.tracker = tracker
        self.syncPeriod = syncPeriod
        self.minSyncPeriod = minSyncPeriod
    }

    /// Handles a batch of inputs; `seen` holds when each object change among them arrived.
    mutating func handle(
        _ inputs: [Inbox.Input], now: ContinuousClock.Instant, seen: [ContinuousClock.Instant] = []
    ) throws(CodedError<ErrorCode>) -> Outcome {
        if let adoptionFailure { throw adoptionFailure }
        if announcedWhileAdopting, lastFullSync == nil,
            inputs.contains(where: { if case .tick = $0 { false } else { true } })
        {
            announcesFirstPass = true
        }
        pendingSeen += seen
        let clock = ContinuousClock()
        let (start, startCPU) = (clock.now, ThreadCPUTime.now())
        let cost = { (clock.now - start, ThreadCPUTime.now() - startCPU) }
        var reports: [ReconcileReport] = []
        var fullSync = false
        var changes = 0
        // Consecutive object changes go to the tracker together, which translates each Service they touch once.
        var objectChanges: [ObjectChange] = []
        for input in inputs {
            if case .event(.change(let change)) = input {
                objectChanges.append(change)
                changes += 1
                count(CountedChange(change))
                continue
            }
            if !objectChanges.isEmpty {
                touched.formUnion(tracker.apply(objectChanges))
                objectChanges.removeAll()
            }
            switch input {
            case .event(.change):
                break
            case .superseded(let change):
                count(change)
            case .event(.synced):
                if !synced { fullSync = true }
                synced = true
            case .tick:
                if let lastFullSync, now - lastFullSync >= syncPeriod, resync == nil {
                    resync = Resync(reconciler.resyncKeys(tracker.desired), at: now)
                    self.lastFullSync = now
                }
            case .health(let transition):
                touched.formUnion(applyHealth(transition, reports: &reports))
            case .node(let addresses):
                touched.formUnion(tracker.updateNode(addresses))
            case .sourceEnded:
                throw Self.sourceEnded
            }
        }
        if !objectChanges.isEmpty { touched.formUnion(tracker.apply(objectChanges)) }
        publishHealth(&reports)
        if tracker.nodeEligibleChanged, let eligible = tracker.nodeEligible {
            tracker.nodeEligibleChanged = false
            reports.append(.nodeEligible(eligible))
        }
        pendingChanges += changes
        if changes > 0 { reports.append(.changes(changeCounts)) }
        reports.append(.pending(pendingChanges))
        if adopting {
            // The initial state in, and not one the first sync holds back (whose check needs the table): the
            // observers that need only the desired state (the nftables table's check) run beside the table's read.
            guard synced, announcesFirstPass, !announcedWhileAdopting, !mayHoldBackFirstSync else {
                return Outcome(firstSyncDone: false, reports: reports)
            }
            (announcesFirstPass, announcedWhileAdopting) = (false, true)
            reports.append(.firstPassDue(tracker.desired))
            return Outcome(firstSyncDone: false, firstPassAnnouncedAhead: true, reports: reports)
        }
        guard synced else {
            if programsAhead && !touched.isEmpty { reports.append(passAhead(now: now, cost: cost)) }
            return Outcome(firstSyncDone: false, reports: reports)
        }
        reportDiagnostics(&reports)
        if lastFullSync == nil {
            if holdsBackFirstSync(&reports) { return Outcome(firstSyncDone: false, heldBack: true, reports: reports) }
            fullSync = true  // the first full pass is owed until it runs (it may have been held back)
            if announcesFirstPass {
                announcesFirstPass = false
                reports.append(.firstPassDue(tracker.desired))
                return Outcome(firstSyncDone: false, firstPassDue: true, reports: reports)
            }
        }
        let work =
            !touched.isEmpty || !resyncUnplanned.isEmpty || reconciler.hasDrainingDue(now: now)
            || reconciler.hasRetryDue(tracker.desired, now: now)
        if !fullSync && work, lastFullSync != nil, let lastPass, now - lastPass < minSyncPeriod {
            // The resync's next slice waits too: it runs only once no change does.
            return Outcome(firstSyncDone: true, wakeAt: lastPass + minSyncPeriod, reports: reports)
        }
        var wakeAt: ContinuousClock.Instant?
        var passed = false
        if fullSync {
            if !adopted {
                do {
                    try reconciler.adopt()
                } catch {
                    reports.append(.readFailed("\(error)"))
                }
            }
            adopted = false
            resyncUnplanned = []
            let report = reconciler.sync(tracker.desired, scope: .all, now: now)
            var pass = finish(report, touched: nil, cost: cost(), now: now)
            if lastFullSync == nil, ahead.passes > 0 {
                pass.ahead = ahead
                pass.aheadSeconds = ahead.since.map { now - $0 }
            }
            reports.append(.pass(pass))
            lastFullSync = now
            resync = nil
        } else if work {
            let virtualServers = touched.virtualServers.union(resyncUnplanned)
            resyncUnplanned = []
            let scope = PlanScope.only(virtualServers: virtualServers, addresses: touched.addresses)
            let report = reconciler.sync(tracker.desired, scope: scope, now: now)
            reports.append(.pass(finish(report, touched: virtualServers, cost: cost(), now: now)))
            passed = true
        }
        if !fullSync, let round = resync {
            let due = round.nextSlice.map { now >= $0 } ?? true
            if due && passed && !sliceDeferred {
                // The pass's observers (its nftables write, its latency) come first: the slice is the next batch's.
                // Only one batch in two defers it, so a stream of changes cannot stall the resync.
                sliceDeferred = true
                wakeAt = now
            } else {
                if due {
                    sliceDeferred = false
                    reports.append(contentsOf: resyncOneSlice(round, now: now))
                }
                // The next slice after whatever arrived meanwhile, and after its pause.
                if let next = resync { wakeAt = next.nextSlice ?? now }
            }
        }
        reportDiagnostics(&reports)
        let healthCheckNodePorts = tracker.takeHealthCheckNodePortChanges()
        if !healthCheckNodePorts.isEmpty { reports.append(.healthCheckNodePorts(healthCheckNodePorts)) }
        return Outcome(firstSyncDone: lastFullSync != nil, wakeAt: nextTimedWork(wakeAt, now: now), reports: reports)
    }

    /// The earliest of `slice` (a resync's next slice) and the loop's other timed work: the next resync when none is
    /// under way, the draining real servers' next check, the next retry. Costs one look per draining real server
    /// and per waiting retry, none per Service. A check or retry that is still due after the pass that was to do
    /// it (it could not run) is asked for again a second later, the pace of the tick this replaces, never at once.
    func nextTimedWork(_ slice: ContinuousClock.Instant?, now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        var times = [reconciler.termination.nextDue, reconciler.retries.nextDue].compactMap { $0 }.map {
            $0 > now ? $0 : now + Self.overdueRetry
        }
        if let slice { times.append(slice) }
        if resync == nil, let lastFullSync { times.append(lastFullSync + syncPeriod) }
        return times.min()
    }

    /// How soon timed work that is overdue after a pass is asked for again.
    static let overdueRetry: Duration = .seconds(1)

    /// After a pass: what it did, and when it ran to its end (the kernel answered every operation, refusals
    /// included), the changes marked programmed. A pass over all (`scope` nil) is full; so is a resync's first
    /// slice (`full`), which names what it touched all the same.
    mutating func finish(
        _ report: SyncReport, touched scope: Set<VirtualServerKey>?, cost: (wall: Duration, cpu: Duration),
        now: ContinuousClock.Instant, slice: Bool = false, full: Bool = false
    ) -> PassReport {
        var pass = PassReport(
            sync: report, full: full || scope == nil, touched: scope, desired: tracker.desired,
            objectChanges: pendingChanges,
            programmedSeen: [], servicePorts: tracker.servicePorts, wall: cost.wall, cpu: cost.cpu,
            draining: reconciler.termination.pendingCount,
            ownedVirtualServers: reconciler.owned.virtualServers, ownedRealServers: reconciler.owned.realServers)
        if scope != nil { pass.touchedAddresses = touched.addresses }
        pass.retrying = Dictionary(grouping: reconciler.retries.entries.values, by: \.reason.rawValue)
            .mapValues(\.count)
        pass.unattributed = report.failures.filter { operation, _ in
            let key = operation.virtualServerKey
            return report.announced.contains(key) && refusalDiagnostic(key) == nil
        }
        touched = DesiredStateTracker.Touched()
        // A resync slice is not a pass for changes: the next change is not held back by --min-sync-period for it.
        if !slice { lastPass = now }
        if report.completed {
            pass.programmedSeen = pendingSeen
            pass.programmedTriggerTimes = pendingTriggerTimes.keys.sorted().flatMap { pendingTriggerTimes[$0] ?? [] }
            pendingSeen = []
            pendingTriggerTimes = [:]
            pendingChanges = 0
            changeCounts.pendingServices = 0
            changeCounts.pendingEndpointSlices = 0
        }
        return pass
    }

    /// Counts a Service or EndpointSlice change and keeps an EndpointSlice's trigger time, as kube-proxy's change
    /// trackers do: only times after the start; a slice's deletion drops its Service's times (its annotation
    /// tells the last update, not the deletion). Node changes are not counted there.
    private mutating func count(_ change: CountedChange) {
        switch change.kind {
        case .service:
            changeCounts.services += 1
            changeCounts.pendingServices += 1
        case .endpointSlice(let service, let triggerTime):
            changeCounts.endpointSlices += 1
            changeCounts.pendingEndpointSlices += 1
            guard let service else { break }
            if change.isDelete {
                pendingTriggerTimes[service] = nil
            } else if let triggerTime, triggerTime > startTime {
                pendingTriggerTimes[service, default: []].append(triggerTime)
            }
        case .node:
            break
        }
    }

    /// True when the first sync must wait: the source's whole input yields no virtual server and no address, while
    /// the kernel holds virtual servers the proxy owns (a missing namespace, a wrong selector, RBAC that lists
    /// nothing, an emptied directory). Reported once; `allowEmptySource` lets it go ahead.
    private mutating func holdsBackFirstSync(_ reports: inout [ReconcileReport]) -> Bool {
        guard mayHoldBackFirstSync else {
            heldBack = false
            return false
        }
        let owned = reconciler.actual.virtualServers.keys.filter { reconciler.ownership.owns($0) }.count
        guard owned > 0 else { return false }
        reports.append(.heldBack(owned: owned, first: !heldBack))
        heldBack = true
        return true
    }

    /// The input holds nothing and an empty source is not allowed: the first sync is held back if the proxy owns
    /// virtual servers.
    private var mayHoldBackFirstSync: Bool {
        !allowEmptySource && tracker.desired.virtualServers.isEmpty && tracker.desired.boundAddresses.isEmpty
    }

    /// Applies one probe verdict to the desired state; a change of status is reported.
    mutating func applyHealth(
        _ transition: HealthTransition, reports: inout [ReconcileReport]
    ) -> DesiredStateTracker.Touched {
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
        reports.append(.healthTransition(transition, services: services.sorted()))
        return touched
    }

    /// Reports new and departed endpoints to probe; afterwards, when anything about health changed, the
    /// Services' summaries and the state as `status` reads it.
    mutating func publishHealth(_ reports: inout [ReconcileReport]) {
        let changes = tracker.takeHealthTargetChanges()
        if !changes.isEmpty {
            reports.append(.healthTargets(changes))
            healthChanged = true
            for (target, users) in changes where users.isEmpty { downSince[target] = nil }
        }
        if tracker.healthSummariesChanged {  // a checked Service with no endpoint probed came or went
            tracker.healthSummariesChanged = false
            healthChanged = true
        }
        guard healthChanged else { return }
        healthChanged = false
        let summaries = tracker.healthSummaries
        var changedSummaries: [ObjectKey: HealthSummary?] = [:]
        for service in Set(summaries.keys).union(reportedSummaries.keys)
        where summaries[service] != reportedSummaries[service] {
            changedSummaries[service] = .some(summaries[service])
        }
        reportedSummaries = summaries
        let state = HealthStateReport(
            written: Date().timeIntervalSince1970,
            probed: tracker.healthTargets.count,
            services: summaries.sorted { $0.key < $1.key }.map { service, summary in
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
        reports.append(.health(changedSummaries: changedSummaries, state: state))
    }
}
