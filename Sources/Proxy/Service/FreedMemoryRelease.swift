/// When the proxy hands the allocator's freed pages back to the kernel (``IPVS/MallocHeap/releaseFreed()``): once
/// the first sync is done, then `interval` after later work, at most once an interval. Each change, resync slice or
/// traffic round frees small blocks that scatter over the heap's pages, and glibc gives back only the top of its
/// heap by itself: at 10,000 Services from an API server, without this, 1,000 changes left 101.0 MiB resident with
/// 47.0 MiB in use, and 89.6 MiB once trimmed (lab, docs/performance.md's memory command with `TRIM_BY_HAND=1`). An
/// idle loop releases nothing. Pure: after each batch the service makes the release it is told to, and wakes the
/// loop at ``due`` with the wake-up it arms for the loop's own timed work.
struct FreedMemoryRelease: Sendable {
    /// A release to make now.
    enum Release: Sendable, Equatable {
        /// The first, after the first sync: the allocator's thresholds are fixed then.
        case first
        /// One after later work.
        case later
    }

    /// The least time from the work that follows a release to the next release.
    let interval: Duration
    /// When the next release is due, nil when none is: the service wakes the loop then with a tick, and that batch
    /// (or any batch from then on) releases.
    private(set) var due: ContinuousClock.Instant?
    private var releasedOnce = false

    /// A schedule that releases at most once every `interval` after the first sync.
    init(interval: Duration) {
        self.interval = interval
    }

    /// The release to make after a batch handled at `now`, nil for none. `worked` says whether the batch did any
    /// work (took an input other than a tick, or ran a pass): the first such batch after a release sets the next
    /// release `interval` later, and the batches before then have their garbage taken by it. A batch that did no
    /// work (a wake-up that found nothing to do) sets nothing.
    mutating func afterBatch(firstSyncDone: Bool, worked: Bool, now: ContinuousClock.Instant) -> Release? {
        guard releasedOnce else {
            guard firstSyncDone else { return nil }
            releasedOnce = true
            return .first
        }
        if let due {
            guard now >= due else { return nil }
            self.due = nil
            return .later
        }
        if worked { due = now + interval }
        return nil
    }
}
