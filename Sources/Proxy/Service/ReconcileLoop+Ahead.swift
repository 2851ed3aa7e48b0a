import Values

extension ReconcileLoop {
    /// What the passes ahead of the first full one did, for that pass's report.
    struct AheadTally: Sendable, Hashable {
        /// How many passes ran ahead.
        var passes = 0
        /// The operations and address bindings they applied (refused ones included).
        var operations = 0
        var bound = 0
        /// The loop thread's wall-clock and CPU time in them.
        var wall: Duration = .zero
        var cpu: Duration = .zero
        /// When the first began.
        var since: ContinuousClock.Instant?
    }

    /// A pass ahead of the first full one, over what the changes since the last such pass touched: only what they add
    /// (virtual servers, real servers, bound addresses) is applied, so the kernel fills while the rest of the
    /// initial state is still being read (at 10,000 Services, listing from an API server is rate-limited to a few
    /// pages a second). Nothing is updated, drained or deleted: a partial state never takes anything away, and the
    /// first full pass, over the whole state, does the rest as it always has. Run only while ``programsAhead``: the
    /// kernel held nothing of the proxy's at start, so there is nothing a partial state could contradict.
    mutating func passAhead(now: ContinuousClock.Instant, cost: () -> (Duration, Duration)) -> ReconcileReport {
        let scope = PlanScope.only(virtualServers: touched.virtualServers, addresses: touched.addresses)
        let report = reconciler.sync(tracker.desired, scope: scope, additionsOnly: true, now: now)
        let (wall, cpu) = cost()
        ahead.passes += 1
        ahead.operations += report.plan.operations.count
        ahead.bound += report.plan.bind.count
        ahead.wall += wall
        ahead.cpu += cpu
        if ahead.since == nil { ahead.since = now }
        var pass = PassReport(
            sync: report, full: false, touched: touched.virtualServers, desired: tracker.desired, objectChanges: 0,
            programmedSeen: [], wall: wall, cpu: cpu, draining: 0,
            ownedVirtualServers: reconciler.owned.virtualServers, ownedRealServers: reconciler.owned.realServers)
        pass.touchedAddresses = touched.addresses
        touched = DesiredStateTracker.Touched()
        return .passAhead(pass)
    }

    /// Whether passes may run ahead of the first full one: the kernel holds no virtual server and the link no
    /// address of the proxy's (after adoption).
    static func mayProgramAhead(_ reconciler: Reconciler) -> Bool {
        reconciler.owned.virtualServers == 0 && reconciler.actual.linkAddresses.isEmpty
    }
}
