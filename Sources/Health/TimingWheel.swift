import NIOCore

/// A hashed timing wheel: items filed by deadline into `slots` buckets of `tick` each. `due(now:)` returns every
/// item whose deadline has passed, in tick order; an item due more than one revolution ahead waits its round.
/// Inserting and draining are O(1) per item. Not thread-safe: the prober uses it on its event loop only.
struct TimingWheel<Item: AnyObject> {
    /// The resolution.
    let tick: TimeAmount
    private var buckets: [[(item: Item, tick: Int64)]]
    /// The last tick drained.
    private var cursor: Int64 = 0

    init(tick: TimeAmount = .milliseconds(10), slots: Int = 4096) {
        self.tick = tick
        buckets = Array(repeating: [], count: max(slots, 1))
    }

    /// Sets the wheel's origin: nothing before `now` is due later than now.
    mutating func start(at now: NIODeadline) {
        cursor = ticks(now)
    }

    /// Files `item` to be due at `deadline` (the next tick when that is already past).
    mutating func insert(_ item: Item, at deadline: NIODeadline) {
        let due = max(ticks(deadline), cursor + 1)
        buckets[slot(due)].append((item, due))
    }

    /// Every item due by `now`, earliest tick first.
    mutating func due(now: NIODeadline) -> [Item] {
        let target = ticks(now)
        guard target > cursor else { return [] }
        var result: [Item] = []
        // After a stall longer than a revolution, one pass over every bucket finds all that is due.
        let first = max(cursor + 1, target - Int64(buckets.count) + 1)
        for tick in first...target {
            let index = slot(tick)
            guard !buckets[index].isEmpty else { continue }
            let bucket = buckets[index]
            buckets[index].removeAll(keepingCapacity: true)
            for entry in bucket {
                if entry.tick <= target { result.append(entry.item) } else { buckets[index].append(entry) }
            }
        }
        cursor = target
        return result
    }

    private func ticks(_ deadline: NIODeadline) -> Int64 {
        Int64(deadline.uptimeNanoseconds / UInt64(max(tick.nanoseconds, 1)))
    }

    private func slot(_ tick: Int64) -> Int { Int(tick % Int64(buckets.count)) }
}
