import Values
import Health
import Kube
import Metrics

/// Where the proxy's inputs wait for the reconcile loop. Producers push; the loop takes everything that has
/// accumulated at once, so a burst of changes becomes one planning pass with no added delay.
///
/// Bounded without losing truth: while the loop is busy, inputs are coalesced. A change to an object replaces the
/// pending change to the same object (the latest state wins: an upsert after an upsert keeps the newer object, a
/// delete after an upsert ends as the delete, an upsert after a delete as the upsert); the replaced one is kept
/// only as a ``CountedChange``, for kube-proxy's counts. A status change of an endpoint replaces its pending one;
/// ticks are one flag; the node's addresses, the latest set. The loop applies a batch as a whole (every change,
/// then one pass), so only each object's last change matters, and the result is what the uncoalesced batch would
/// give. Distinct pending inputs are still bounded by `capacity`: when it is reached, a producer pushing a new object
/// or endpoint waits until the loop has taken the batch (backpressure on the source), rather than the buffer growing
/// or an input being dropped.
final class Inbox: Sendable {
    /// One input.
    enum Input: Sendable {
        /// An event from the object source.
        case event(SourceEvent)
        /// The object source's stream ended.
        case sourceEnded
        /// A wake-up the loop asked for (``ReconcileLoop/Outcome/wakeAt``): its timed work may be due.
        case tick
        /// A probed endpoint changed status.
        case health(HealthTransition)
        /// The node's addresses changed.
        case node(NodeAddressSet)
        /// A change the inbox folded into a later change to the same object: not applied (the later one carries the
        /// object's state), but counted, as kube-proxy counts every event (its change totals and trigger times).
        case superseded(CountedChange)
    }

    /// The default most distinct objects and endpoints waiting at once.
    static let defaultCapacity = 10_000

    private struct Pending {
        var changes: [ObjectID: (change: ObjectChange, at: ContinuousClock.Instant, superseded: [CountedChange])] = [:]
        var changeOrder: [ObjectID] = []
        var synced: ContinuousClock.Instant?
        var health: [HealthTarget: (transition: HealthTransition, at: ContinuousClock.Instant)] = [:]
        var healthOrder: [HealthTarget] = []
        var tick: ContinuousClock.Instant?
        var sourceEnded: ContinuousClock.Instant?
        /// The node's latest addresses (only the last set matters), first seen at.
        var node: (addresses: NodeAddressSet, at: ContinuousClock.Instant)?

        var depth: Int {
            changes.count + health.count + (synced == nil ? 0 : 1) + (tick == nil ? 0 : 1)
                + (sourceEnded == nil ? 0 : 1) + (node == nil ? 0 : 1)
        }
    }

    private struct State {
        var pending = Pending()
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Locked(State())
    private let continuation: AsyncStream<Void>.Continuation
    /// The most distinct objects and endpoints waiting at once.
    let capacity: Int
    private let depthGauge: Gauge?
    /// Yields whenever inputs are waiting (several pushes may yield once).
    let signals: AsyncStream<Void>

    /// An empty inbox holding at most `capacity` distinct inputs; `depth` records how many wait.
    init(capacity: Int = Inbox.defaultCapacity, depth: Gauge? = nil) {
        self.capacity = max(1, capacity)
        self.depthGauge = depth
        (signals, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// How many inputs wait (after coalescing).
    var depth: Int { state.withLock { $0.pending.depth } }

    /// Whether an object change, an endpoint's status or the node's addresses wait: work a periodic resync's slice
    /// stops early for (``ReconcileLoop/resyncInterrupt``). Ticks and the source's end do not count.
    var holdsChanges: Bool {
        state.withLock { !$0.pending.changes.isEmpty || !$0.pending.health.isEmpty || $0.pending.node != nil }
    }

    /// How many producers wait for room.
    var waitingProducers: Int { state.withLock { $0.waiters.count } }

    /// Adds an input, or folds it into the pending input it replaces, and wakes the loop. When the inbox is full
    /// and the input is a new object or endpoint, waits until the loop has taken what is pending; a cancelled
    /// producer stops waiting (its input is dropped: nothing will read it).
    func push(_ input: Input) async {
        while true {
            let added = state.withLock { state in
                guard Self.add(input, to: &state.pending, capacity: capacity, now: .now) else { return false }
                depthGauge?.record(state.pending.depth)  // under the lock, so a take's 0 is never overwritten
                return true
            }
            if added {
                continuation.yield()
                return
            }
            await waitForRoom()
            if Task.isCancelled { return }
        }
    }

    /// Folds `input` into `pending`; false when it needs room that is not there.
    private static func add(
        _ input: Input, to pending: inout Pending, capacity: Int, now: ContinuousClock.Instant
    ) -> Bool {
        switch input {
        case .event(.change(let change)):
            let id = change.object.id
            if var earlier = pending.changes.removeValue(forKey: id) {
                // The first sighting dates the change; the earlier change is kept to be counted, not applied (taken
                // out of the dictionary first, so that appending does not copy the list).
                earlier.superseded.append(CountedChange(earlier.change))
                earlier.change = change
                pending.changes[id] = earlier
                return true
            }
            guard pending.depth < capacity else { return false }
            pending.changes[id] = (change, now, [])
            pending.changeOrder.append(id)
        case .event(.synced):
            if pending.synced == nil { pending.synced = now }
        case .health(let transition):
            if let earlier = pending.health[transition.target] {
                pending.health[transition.target] = (transition, earlier.at)
                return true
            }
            guard pending.depth < capacity else { return false }
            pending.health[transition.target] = (transition, now)
            pending.healthOrder.append(transition.target)
        case .tick:
            if pending.tick == nil { pending.tick = now }
        case .sourceEnded:
            if pending.sourceEnded == nil { pending.sourceEnded = now }
        case .node(let addresses):
            pending.node = (addresses, pending.node?.at ?? now)
        case .superseded:
            break  // made by `take`, never pushed
        }
        return true
    }

    /// Suspends until `take` makes room (or the task is cancelled).
    private func waitForRoom() async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let wait = state.withLock { state in
                    guard !Task.isCancelled, state.pending.depth >= capacity else { return false }
                    state.waiters[id] = waiter
                    return true
                }
                if !wait { waiter.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Takes every waiting input.
    func take() -> [Input] { takeStamped().map(\.input) }

    /// Takes every waiting input with the time it was first pushed: each object's latest change in the order the
    /// objects first arrived (after the changes it superseded, to be counted only), then the source's `synced`, the
    /// endpoints' latest status changes, one tick, and the end of the source. Producers waiting for room go on.
    func takeStamped() -> [(input: Input, at: ContinuousClock.Instant)] {
        let (pending, waiters) = state.withLock { state in
            defer {
                state.pending = Pending()
                state.waiters = [:]
                depthGauge?.record(0)
            }
            return (state.pending, Array(state.waiters.values))
        }
        for waiter in waiters { waiter.resume() }
        var inputs: [(input: Input, at: ContinuousClock.Instant)] = []
        inputs.reserveCapacity(pending.depth)
        for id in pending.changeOrder {
            guard let item = pending.changes[id] else { continue }
            for earlier in item.superseded { inputs.append((.superseded(earlier), item.at)) }
            inputs.append((.event(.change(item.change)), item.at))
        }
        if let at = pending.synced { inputs.append((.event(.synced), at)) }
        if let node = pending.node { inputs.append((.node(node.addresses), node.at)) }
        for target in pending.healthOrder {
            if let item = pending.health[target] { inputs.append((.health(item.transition), item.at)) }
        }
        if let at = pending.tick { inputs.append((.tick, at)) }
        if let at = pending.sourceEnded { inputs.append((.sourceEnded, at)) }
        return inputs
    }

    /// Ends the signal stream.
    func finish() { continuation.finish() }
}

/// What counting a change needs of it (kube-proxy's change totals and trigger times), without the object: a change
/// folded into a later one is kept as this, so a burst of updates to one object holds a few words per update, not
/// every version of the object.
struct CountedChange: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case service
        /// An EndpointSlice: its Service (if labelled) and its trigger time.
        case endpointSlice(service: ObjectKey?, triggerTime: Double?)
        case node
    }

    let kind: Kind
    let isDelete: Bool

    init(_ change: ObjectChange) {
        switch change.object {
        case .service: kind = .service
        case .endpointSlice(let slice):
            kind = .endpointSlice(service: slice.serviceKey, triggerTime: slice.lastChangeTriggerTime)
        case .node: kind = .node
        }
        if case .delete = change { isDelete = true } else { isDelete = false }
    }
}
