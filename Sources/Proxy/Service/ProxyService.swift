import Health
import IPVS
import Kube
import Logging
import ServiceLifecycle
import Values

/// The proxy's reconcile loop as a ServiceLifecycle service: object changes in, kernel updates out.
///
/// The object source is a service of its own (`SourceService`) in the same `ServiceGroup`, placed before this one;
/// this service reads its events. It reads the kernel's table first (adoption: nothing is flushed), waits for the
/// source's initial state to be complete before writing anything, then programs the difference. Afterwards each
/// burst of changes becomes one pass over exactly what it touched; every `syncPeriod` the kernel is re-read and
/// fully reconciled, which repairs changes made behind the proxy's back. On graceful shutdown (SIGTERM) it stops and
/// leaves the kernel as it is.
public struct ProxyService: ServiceLifecycle.Service, CustomStringConvertible {
    /// How the loop runs.
    public struct Options: Sendable {
        /// How often the kernel is re-read and fully reconciled (`--sync-period`).
        public var syncPeriod: Duration = .seconds(30)
        /// Sync once, after the source's initial state, and return (`--once`).
        public var once = false
        /// Where the health state is written for `ipvs-proxy status`; nil: nowhere.
        public var healthStateFile: String?
        /// The least time between two passes (`--min-sync-period`); 0 applies each burst at once.
        public var minSyncPeriod: Duration = .zero
        /// The share of one CPU the periodic re-read may take (from `--kernel-read-cpu`); whole: no limit.
        public var resyncShare = CPUShare.whole
        /// `--allow-empty-source`: let a first sync from a source that holds nothing delete what the proxy owns
        /// (otherwise it is held back until the source holds something; `--once` then fails).
        public var allowEmptySource = false
        /// Where passes are counted and timed; nil records nothing.
        public var metrics: ProxyMetrics? = nil
        /// kube-proxy's health rule for /healthz and /livez; nil keeps none.
        public var healthz: ProxyHealthRecorder? = nil
        /// The most distinct objects and endpoints waiting for the loop at once (changes to the same object are
        /// coalesced); beyond it the source waits.
        public var inboxCapacity = Inbox.defaultCapacity
        /// Program the initial state as it arrives, additions only, ahead of the first full pass, when the kernel
        /// holds nothing of the proxy's (``ReconcileLoop/programsAhead``): for a source that delivers it in parts (an
        /// API server a page at a time, a manifests directory a run of files at a time), so that the kernel fills
        /// while the rest is read.
        public var programsAhead = false
        /// The least time from the work that follows a release of the allocator's freed pages to the next
        /// (``FreedMemoryRelease``); the first follows the first sync. None with `once`.
        public var releaseInterval: Duration = .seconds(10)
        /// What releases them: glibc's `malloc_trim` (``MallocHeap/releaseFreed()``); a test counts the calls.
        public var releaseFreed: @Sendable () -> Void = { MallocHeap.releaseFreed() }

        /// The defaults.
        public init() {}
    }

    let events: AsyncStream<SourceEvent>
    let reconciler: Reconciler
    let configuration: ProxyConfiguration
    let options: Options
    let observers: [any ReconcileObserver]
    let health: HealthBridge?
    let nodeAddresses: AsyncStream<NodeAddressSet>?
    let logger: Logger
    /// There is an nftables table to write: the loop announces its first pass, and the table's whole write runs
    /// beside it (``ReconcileReport/firstPassDue(_:)``).
    let announcesFirstPass: Bool

    /// A proxy service over the object source's `events` (`SourceService.events`), applying through `reconciler`,
    /// and keeping the masquerading rules through `masquerade` when given. The stream ending while the proxy runs is
    /// an error. With `health`, endpoints of health-checked Services are probed by its checker, and
    /// its transitions reach the loop as inputs.
    ///
    /// The loop's reports go, in this order, to the nftables table (`masquerade`), `options.metrics`, the log,
    /// `options.healthz`, the prober and its metrics, the health state file, then `observers`.
    public init(
        events: AsyncStream<SourceEvent>,
        reconciler: Reconciler,
        configuration: ProxyConfiguration,
        options: Options = Options(),
        masquerade: MasqueradeSync? = nil,
        health: HealthBridge? = nil,
        nodeAddresses: AsyncStream<NodeAddressSet>? = nil,
        observers: [any ReconcileObserver] = [],
        logger: Logger
    ) {
        self.nodeAddresses = nodeAddresses
        announcesFirstPass = masquerade != nil
        var all: [any ReconcileObserver] = []
        // The kernel's part first (nftables), then the metrics, which take the network-programming time when they
        // see the pass, so that it ends with the kernel's acknowledgement rather than after the log is written.
        if let masquerade { all.append(MasqueradeObserver(sync: masquerade, logger: logger)) }
        if let metrics = options.metrics { all.append(metrics) }
        all.append(LogObserver(logger: logger))
        if let healthz = options.healthz { all.append(healthz) }
        if let health {
            all.append(HealthTargetsObserver(sink: health))
            all.append(health.metrics)
            if let path = options.healthStateFile { all.append(HealthStateFile(path: path, logger: logger)) }
        }
        self.observers = all + observers
        self.events = events
        self.reconciler = reconciler
        self.configuration = configuration
        self.options = options
        self.health = health
        self.logger = logger
    }

    public func run() async throws {
        var loop = ReconcileLoop(
            reconciler: reconciler,
            tracker: DesiredStateTracker(configuration: configuration),
            syncPeriod: options.syncPeriod,
            minSyncPeriod: options.minSyncPeriod
        )
        loop.allowEmptySource = options.allowEmptySource
        loop.resyncShare = options.resyncShare
        let inbox = Inbox(capacity: options.inboxCapacity, depth: options.metrics?.inboxDepth)
        loop.resyncInterrupt = { inbox.holdsChanges }
        loop.announcesFirstPass = announcesFirstPass
        loop.programsAhead = options.programsAhead  // and only if adoption finds nothing of the proxy's
        try await ReconcileRoom.withRoom(loop) { room in try await run(in: room, inbox: inbox) }
    }

    /// The loop's inputs, its passes in `room` (on a thread of their own) and its observers (on this task).
    private func run(in room: ReconcileRoom, inbox: Inbox) async throws {
        var observers = self.observers
        let events = self.events
        let healthz = options.healthz
        // Discarding: each wake-up is a child task of its own, gone once it has fired.
        try await withThrowingDiscardingTaskGroup { group in
            // Adoption reads the kernel's table on a thread of its own while the loop takes the source's objects
            // (their translation, seconds at 10,000 Services, overlaps the read) and the observers start; no pass
            // runs before the table is in; then a tick runs what the batches taken meanwhile left to do.
            group.addTask {
                // A failure stops the loop at this tick (``ReconcileLoop/adoptionFailure``), and so the service.
                try? await adopt(in: room)
                await inbox.push(.tick)
            }
            group.addTask {
                for await event in events {
                    if case .change = event { healthz?.queued() }
                    if case .synced = event { healthz?.initialized() }
                    await inbox.push(.event(event))
                }
                await inbox.push(.sourceEnded)
            }
            if let nodeAddresses {
                group.addTask {
                    for await addresses in nodeAddresses { await inbox.push(.node(addresses)) }
                }
            }
            if let transitions = health?.checker.transitions {
                group.addTask {
                    for await transition in transitions { await inbox.push(.health(transition)) }
                }
            }
            // Before the first pass, so that what the pass makes reachable is tracked and filtered from its first
            // packet.
            await observers.start()
            // As kube-proxy's SyncLoop: the loop is up, and healthy while the source delivers its initial state.
            options.healthz?.started()
            defer { group.cancelAll() }
            // No clock ticks: the loop says when it next has timed work (a held pass, a resync's slice or the next
            // resync, a drain check, a retry), and one wake-up is set for it. Each outcome names the loop's earliest
            // need, so only an earlier one than that already set needs a wake-up of its own; a later one is asked for
            // again when the earlier one fires.
            var armed: ContinuousClock.Instant?
            var release = FreedMemoryRelease(interval: options.releaseInterval)
            // The observers at work on reports handed over ahead of the first full pass, taken back beside the next
            // batch, whose pass overlaps the end: a pass ahead's (its nftables elements, as large a write as its IPVS
            // batch, while the initial state arrives), or those of a first pass announced while the kernel's table
            // is read (the nftables table's check).
            var early: Task<[any ReconcileObserver], Never>?
            defer { early?.cancel() }
            for await _ in inbox.signals.cancelOnGracefulShutdown() {
                let stamped = inbox.takeStamped()
                let seen = stamped.compactMap { item -> ContinuousClock.Instant? in
                    if case .event(.change) = item.input { return item.at }
                    return nil
                }
                let taken = ContinuousClock.now
                var outcome: ReconcileLoop.Outcome
                if let working = early {
                    early = nil
                    async let delivered = working.value
                    outcome = try await room.handle(stamped.map(\.input), now: taken, seen: seen)
                    observers = await delivered
                } else {
                    outcome = try await room.handle(stamped.map(\.input), now: taken, seen: seen)
                }
                let passAhead = outcome.reports.contains { if case .passAhead = $0 { true } else { false } }
                if passAhead || outcome.firstPassAnnouncedAhead {
                    let (reports, current) = (outcome.reports, observers)
                    early = Task { await Self.delivering(reports, to: current) }
                    // After a pass ahead the next batch is handled at once, with no more input (no wake-up is armed
                    // here); its pass adds only, and neither it nor these observers waits for the other.
                    if passAhead { await inbox.push(.tick) }
                    continue
                }
                if outcome.firstPassDue {
                    // The first full pass, with the observers of its announcement beside it: the nftables table's
                    // whole write takes as long as the pass at 10,000 Services, and needs only the desired state.
                    let (announced, current) = (outcome.reports, observers)
                    async let announcing = Self.delivering(announced, to: current)
                    outcome = try await room.handle([], now: .now, seen: [])
                    observers = await announcing
                }
                let handled = ContinuousClock.now
                await observers.deliver(outcome.reports)
                if logger.logLevel <= .debug {
                    // Where a change's latency goes: waiting in the inbox, the loop's pass, the observers (nftables);
                    // and what a change may wait behind: any other batch of 10 ms or more (a resync's slice).
                    let done = ContinuousClock.now
                    if let first = seen.min() {
                        logger.debug(
                            "changes handled",
                            metadata: [
                                "changes": "\(seen.count)", "waitedSeconds": "\((taken - first).secondsText)",
                                "handleSeconds": "\((handled - taken).secondsText)",
                                "observersSeconds": "\((done - handled).secondsText)",
                            ])
                    } else if done - taken >= .milliseconds(10) {
                        let full = outcome.reports.contains {
                            if case .pass(let pass) = $0 { pass.full } else { false }
                        }
                        logger.debug(
                            "batch handled",
                            metadata: [
                                "inputs": "\(stamped.count)", "fullPass": "\(full)",
                                "handleSeconds": "\((handled - taken).secondsText)",
                                "observersSeconds": "\((done - handled).secondsText)",
                            ])
                    }
                }
                if !options.once {
                    let worked =
                        stamped.contains { if case .tick = $0.input { false } else { true } }
                        || outcome.reports.contains { if case .pass = $0 { true } else { false } }
                    let now = ContinuousClock.now
                    if let made = release.afterBatch(firstSyncDone: outcome.firstSyncDone, worked: worked, now: now) {
                        let took = await room.releaseFreedMemory(
                            with: options.releaseFreed, fixingThresholds: made == .first)
                        logger.debug("released freed memory", metadata: ["seconds": "\(took.secondsText)"])
                    }
                }
                // The loop's timed work and the next release of freed memory share the one wake-up.
                let wakeAt = [outcome.wakeAt, release.due].compactMap { $0 }.min()
                if let deadline = wakeAt, armed.map({ deadline < $0 || $0 <= .now }) ?? true {
                    armed = deadline
                    group.addTask {
                        guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                        await inbox.push(.tick)
                    }
                }
                if options.once && outcome.heldBack {
                    throw ReconcileLoop.heldBackOnce
                }
                if options.once && outcome.firstSyncDone {
                    logger.info("synced once; exiting (--once)")
                    return
                }
            }
            if let working = early { observers = await working.value }
            logger.info("shutting down; the kernel is left as it is")
        }
    }

    /// Adopts the kernel's table in `room` (``ReconcileRoom/adopt(within:)``) and says what was found.
    private func adopt(in room: ReconcileRoom) async throws {
        let adoption = ContinuousClock.now
        let adopted = try await room.adopt()
        logger.info(
            "adopted the kernel's IPVS table",
            metadata: [
                "virtualServers": "\(adopted.virtualServers)", "linkAddresses": "\(adopted.linkAddresses)",
                "otherPrograms": "\(adopted.foreign)", "seconds": "\((ContinuousClock.now - adoption).secondsText)",
            ]
        )
        if adopted.programsAhead {
            // Worded without "full sync": scripts and operators take that line for the end of the first sync.
            logger.info(
                """
                the kernel holds nothing of this proxy's: the initial state is programmed as it is read, additions \
                only, until the whole of it is in
                """)
        }
        if !adopted.hadRecord && adopted.foreign > 0 {
            logger.notice(
                """
                no ownership record was found (first start, or the first after an upgrade): only virtual servers on \
                the VIP link's addresses are taken as this proxy's; the others are left alone, and a Service wanting \
                one of them is reported (--adopt takes those over)
                """,
                metadata: ["otherPrograms": "\(adopted.foreign)"])
        }
    }

    /// `observers` after each was handed `reports`.
    private static func delivering(
        _ reports: [ReconcileReport], to observers: [any ReconcileObserver]
    ) async -> [any ReconcileObserver] {
        var observers = observers
        await observers.deliver(reports)
        return observers
    }

    /// `ProxyService`, as the group's logs name it. The group takes every service's description as it is configured,
    /// and the reflected default printed this one whole (the ownership record's 10,000 virtual servers at 10,000
    /// Services, the configuration) before the kernel's table could be read: a lab profile of a restart showed it.
    public var description: String { "ProxyService" }
}
