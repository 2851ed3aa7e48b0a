import IPVS
import Values

/// The periodic resync: a re-read and re-plan of the whole table, a slice per batch (``ReconcileLoop/resync``).
extension ReconcileLoop {
    /// A periodic resync under way: worked off a slice per batch once the changes in it are programmed and
    /// observed, so that a change arriving during a slice waits for the chunk being read (``resyncInterrupt``), never
    /// the whole table.
    struct Resync {
        /// The virtual servers still to re-read and re-plan.
        var left: ArraySlice<VirtualServerKey>
        /// The next slice is the first: it also reads the link (re-created if gone) and its addresses.
        var readsLink = true
        /// When the next slice may run (nil: at once): the pause after the last one that keeps the resync within
        /// ``resyncShare`` of a CPU.
        var nextSlice: ContinuousClock.Instant? = nil
        /// When it began, how many virtual servers it set out to read, and the CPU its slices took so far.
        var began: ContinuousClock.Instant
        var total: Int
        var cpu: Duration = .zero

        init(_ keys: [VirtualServerKey], at now: ContinuousClock.Instant) {
            (left, began, total) = (ArraySlice(keys), now, keys.count)
        }
    }

    /// One slice of the periodic resync (``resync``): what was read is planned and applied as a pass of its own,
    /// unless work arrived while it read (then that work's pass plans it, ``resyncUnplanned``). It runs after the
    /// batch's changes were programmed, so the changes it marks programmed have nothing left to program. The first
    /// slice of each resync is reported as a full pass (logged and timed as one), naming the virtual servers it
    /// changed: observers then check what they keep outside the process (the nftables table) and update only what
    /// changed. What they keep follows every pass, so it is rebuilt from the whole desired state only at the first.
    mutating func resyncOneSlice(_ round: Resync, now: ContinuousClock.Instant) -> [ReconcileReport] {
        let clock = ContinuousClock()
        let (start, startCPU) = (clock.now, ThreadCPUTime.now())
        var left = round.left
        let first = round.readsLink
        let (report, unplanned, readFailure) = reconciler.resync(
            &left, link: first, desired: tracker.desired, chunk: resyncChunk, until: start + resyncSlice, now: now,
            stop: resyncInterrupt)
        let cost = (wall: clock.now - start, cpu: ThreadCPUTime.now() - startCPU)
        var next = round
        (next.left, next.readsLink, next.cpu) = (left, false, round.cpu + cost.cpu)
        next.nextSlice = Self.nextSlice(after: cost.cpu, share: resyncShare, now: now)
        resync = left.isEmpty ? nil : next
        // Stopped for waiting work: what was read is planned by that work's pass (``resyncUnplanned``).
        resyncUnplanned.formUnion(unplanned)
        var reports: [ReconcileReport] = readFailure.map { [.readFailed("\($0)")] } ?? []
        if let report {
            let changed = Set(report.plan.operations.map(\.virtualServerKey))
            reports.append(.pass(finish(report, touched: changed, cost: cost, now: now, slice: true, full: first)))
        }
        if left.isEmpty {
            reports.append(.resynced(virtualServers: round.total, wall: now + cost.wall - round.began, cpu: next.cpu))
        }
        return reports
    }

    /// When the slice after one that began at `now` and cost `cpu` may run, for the resync to take `share` of one
    /// CPU; nil (at once) for a whole CPU.
    static func nextSlice(after cpu: Duration, share: CPUShare, now: ContinuousClock.Instant) -> ContinuousClock
        .Instant?
    {
        share == .whole ? nil : now + share.cycle(after: cpu)
    }
}
