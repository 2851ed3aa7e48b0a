/// When the proxy hands the allocator's freed pages back to the kernel (``IPVS/MallocHeap/releaseFreed()``): once
/// the first sync is done, then `interval` after later work, at most once an interval. Each change, resync slice or
/// traffic round frees small blocks that scatter over the heap's pages, and glibc gives back only the top of its
/// heap by itself: at 10,000 Services from an API server, 1,000 changes left 103.4 MiB resident with 48.2 MiB in use,
/// and 91.7 MiB once trimmed (lab, docs/performance.md). An idle loop releases nothing. Pure: the service acts on
/// each step it is told.
struct FreedMemoryRelease: Sendable {
    /// What the service does after a batch.
    enum Step: Sendable, Equatable {
        /// Nothing.
        case none
        /// Release the freed pages now; `first` after the first sync (the allocator's thresholds are fixed then).
        case release(first: Bool)
        /// Release them at this instant: the service wakes the loop then with a tick, whose batch releases.
        case wake(at: ContinuousClock.Instant)
    }

    /// The least time from the work that follows a release to the next release.
    let interval: Duration
    private var releasedOnce = false
    private var due: ContinuousClock.Instant?

    /// A schedule that releases at most once every `interval` after the first sync.
    init(interval: Duration) {
        self.interval = interval
    }

    /// The step after a batch handled at `now`, the first sync done or not. A batch after a release is work whose
    /// garbage the next release takes, `interval` later; batches before then take nothing more.
    mutating func afterBatch(firstSyncDone: Bool, now: ContinuousClock.Instant) -> Step {
        guard releasedOnce else {
            guard firstSyncDone else { return .none }
            releasedOnce = true
            return .release(first: true)
        }
        if let due {
            guard now >= due else { return .none }
            self.due = nil
            return .release(first: false)
        }
        let at = now + interval
        due = at
        return .wake(at: at)
    }
}
