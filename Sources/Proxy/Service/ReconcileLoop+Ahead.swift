import Values

extension ReconcileLoop {
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
