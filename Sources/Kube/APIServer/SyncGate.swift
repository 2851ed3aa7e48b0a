/// Counts resources whose first list is complete; the last one to finish reports it.
actor SyncGate {
    private var remaining: Int

    init(remaining: Int) { self.remaining = remaining }

    /// Marks one resource synced; true exactly once, when all are.
    func markSynced() -> Bool {
        remaining -= 1
        return remaining == 0
    }
}
