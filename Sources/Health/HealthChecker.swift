import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Values

/// Probes endpoints on one event loop and reports each change of status.
///
/// Targets come and go through `update(adding:removing:)`; each is probed every `interval`, the first time
/// after a random part of its interval (so a burst of new targets spreads out). A target is probed once however
/// many virtual servers share it (targets are deduplicated by endpoint and probe spec). Status changes come out of
/// `transitions`, once each. As a ServiceLifecycle service it runs until graceful shutdown, then stops probing and
/// ends `transitions`. All mutable state lives on the event loop, in a box that checks it is only touched there
/// (`NIOLoopBoundBox`). TCP probes, the common kind, leave the loop in batches for a `TCPConnector` (a thread of
/// its own with an epoll set, no channel per probe) and come back to it in batches; HTTP and UDP probes use NIO
/// channels on the loop.
public final class HealthChecker: ServiceLifecycle.Service, Sendable {
    /// Status changes, in the order they happened.
    public let transitions: AsyncStream<HealthTransition>
    /// The event loop every probe runs on.
    public let loop: any EventLoop

    let continuation: AsyncStream<HealthTransition>.Continuation
    let logger: Logger
    let observer: (any HealthObserver)?
    /// The state below, reachable only on `loop`.
    let box: NIOLoopBoundBox<State>

    /// The prober's mutable state, confined to its event loop.
    final class State {
        var entries: [HealthTarget: ProbeEntry] = [:]
        var stats = HealthCheckerStatistics()
        var stopped = false
        /// TCP probes made without a channel each, on a thread of their own (started with the first).
        var connector: TCPConnector<NIOLoopBound<ProbeAttempt>>?
        /// TCP probes due in this round of the loop, for the connector.
        var connects: [TCPConnector<NIOLoopBound<ProbeAttempt>>.Request] = []
        /// Due probes, by tick: NIO cancels a scheduled task by a linear scan of its heap, so one NIO task per
        /// target would cost O(targets) per cancelled connect timeout. One repeating tick drains this wheel
        /// instead, and NIO's heap holds only the timeouts of probes in flight.
        var wheel = TimingWheel<ProbeEntry>()
        var ticker: RepeatedTask?
        /// When the last "probes not made" warning was logged.
        var notProbedWarned: NIODeadline?
    }

    /// A prober on one event loop of `group` (by default NIO's shared one). `observer` sees every probe's result.
    public init(
        logger: Logger, observer: (any HealthObserver)? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        loop = group.next()
        box = NIOLoopBoundBox.makeBoxSendingValue(State(), eventLoop: loop)
        self.logger = logger
        self.observer = observer
        (transitions, continuation) = AsyncStream.makeStream(of: HealthTransition.self)
    }

    /// The state; call on `loop` only (checked).
    var state: State { box.value }

    /// Starts probing `adding` (targets already probed keep their state) and stops probing `removing`.
    public func update(adding: [HealthTarget], removing: [HealthTarget]) {
        guard !adding.isEmpty || !removing.isEmpty else { return }
        loop.execute {
            for target in removing { self.remove(target) }
            for target in adding { self.add(target) }
        }
    }

    /// The current status of every target.
    public func statuses() async throws -> [HealthTarget: HealthStatus] {
        try await loop.submit { self.state.entries.mapValues(\.state.status) }.get()
    }

    /// The last failure of up to `limit` targets whose last probe failed, for diagnosis.
    public func lastFailures(limit: Int = 10) async throws -> [HealthTarget: String] {
        try await loop.submit {
            var failures: [HealthTarget: String] = [:]
            for (target, entry) in self.state.entries where failures.count < limit {
                if let failure = entry.lastFailure { failures[target] = failure }
            }
            return failures
        }.get()
    }

    /// The counters so far, with the loop thread's CPU time. `resetLag` starts the lag histogram afresh afterwards
    /// (a benchmark measures it over a window).
    public func statistics(resetLag: Bool = false) async throws -> HealthCheckerStatistics {
        try await loop.submit {
            let state = self.state
            var stats = state.stats
            if resetLag {
                state.stats.lag = LatencyHistogram()
            }
            stats.targets = state.entries.count
            stats.down = state.entries.values.count { $0.state.status == .down }
            stats.loopCPU = ThreadCPUTime.now() + (state.connector?.cpuTime() ?? .zero)
            return stats
        }.get()
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await stop()
    }

    /// Stops probing and ends `transitions` (the event loop is not this prober's to shut down).
    public func stop() async throws {
        let connector = try await loop.submit {
            let state = self.state
            state.stopped = true
            state.ticker?.cancel()
            for entry in state.entries.values {
                entry.removed = true
            }
            state.entries.removeAll()
            defer { state.connector = nil }
            return state.connector
        }.get()
        // Its thread is gone before this returns, so no outcome reaches the loop after its owner shuts it down.
        await connector?.stop()
        continuation.finish()
    }

    private func add(_ target: HealthTarget) {
        let state = self.state
        guard !state.stopped, state.entries[target] == nil else { return }
        if state.ticker == nil {
            state.wheel.start(at: .now())
            state.ticker = loop.scheduleRepeatedTask(initialDelay: state.wheel.tick, delay: state.wheel.tick) {
                [self] _ in
                for entry in self.state.wheel.due(now: .now()) where !entry.removed { fire(entry) }
            }
        }
        let address: SocketAddress
        do {
            let packed = ByteBuffer(bytes: target.address.bytes)
            address = try SocketAddress(packedIPAddress: packed, port: Int(target.port))
        } catch {
            logger.warning("cannot probe this address", metadata: ["target": "\(target)", "error": "\(error)"])
            return
        }
        let interval = TimeAmount(target.probe.interval).nanoseconds
        let jitter = TimeAmount.nanoseconds(Int64.random(in: 0..<max(interval, 1)))
        let entry = ProbeEntry(target: target, address: address, next: .now() + jitter)
        state.entries[target] = entry
        schedule(entry)
    }

    private func remove(_ target: HealthTarget) {
        let state = self.state
        guard let entry = state.entries.removeValue(forKey: target) else { return }
        entry.removed = true
        // Nothing left to probe: the wheel's tick (100 wake-ups a second) stops until a target comes again.
        if state.entries.isEmpty {
            state.ticker?.cancel()
            state.ticker = nil
            state.wheel = TimingWheel()
        }
    }

    /// Whether the wheel's tick runs (only while some target is probed).
    func isTicking() async throws -> Bool {
        try await loop.submit { self.state.ticker != nil }.get()
    }

    private func schedule(_ entry: ProbeEntry) {
        state.wheel.insert(entry, at: entry.next)
    }

    private func fire(_ entry: ProbeEntry) {
        let state = self.state
        guard !entry.removed, !state.stopped else { return }
        let now = NIODeadline.now()
        let late = now.uptimeNanoseconds - min(now.uptimeNanoseconds, entry.next.uptimeNanoseconds)
        state.stats.lag.record(late / 1000)
        let interval = TimeAmount(entry.target.probe.interval)
        entry.next = entry.next + interval
        if entry.next < now {
            state.stats.overrun += 1
            entry.next = now + interval
        }
        schedule(entry)
        guard !entry.inFlight else {
            state.stats.skipped += 1
            return
        }
        entry.inFlight = true
        state.stats.started += 1
        start(
            ProbeAttempt(entry: entry, started: now) { [self] entry, failure, started in
                complete(entry, failure: failure, started: started)
            })
    }

    /// Records a probe's outcome; called on the loop.
    func complete(_ entry: ProbeEntry, failure: ProbeFailure?, started: NIODeadline) {
        let state = self.state
        entry.inFlight = false
        state.stats.finished += 1
        if failure?.code == .notProbed {
            notProbed(entry, failure)
            return
        }
        if failure != nil { state.stats.failed += 1 }
        let latency = Duration.nanoseconds(NIODeadline.now().uptimeNanoseconds - started.uptimeNanoseconds)
        observer?.probed(entry.target, success: failure == nil, latency: latency)
        guard !entry.removed, !state.stopped else { return }
        entry.lastFailure = failure?.description
        let probe = entry.target.probe
        guard let status = entry.state.record(success: failure == nil, rise: probe.rise, fall: probe.fall) else {
            return
        }
        continuation.yield(
            HealthTransition(target: entry.target, status: status, reason: status == .down ? entry.lastFailure : nil)
        )
    }

    /// A probe this node could not make says nothing of the endpoint: its rise/fall count and its metrics are left
    /// alone, the probe is counted, and a warning names the cause at most once a minute (with how many since).
    private func notProbed(_ entry: ProbeEntry, _ failure: ProbeFailure?) {
        let state = self.state
        state.stats.notProbed += 1
        let now = NIODeadline.now()
        guard state.notProbedWarned.map({ now - $0 >= .minutes(1) }) ?? true else { return }
        logger.warning(
            "health probes not made: this node is short of resources; endpoints keep their status",
            metadata: [
                "target": "\(entry.target)", "error": "\(failure?.description ?? "")",
                "notProbedSoFar": "\(state.stats.notProbed)",
            ])
        state.notProbedWarned = now
    }
}
