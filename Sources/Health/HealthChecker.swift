import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Probes endpoints on one event loop and reports each change of status.
///
/// Targets come and go through `update(adding:removing:)`; each is probed every `interval`, the first time
/// after a random part of its interval (so a burst of new targets spreads out). A target is probed once however
/// many virtual servers share it (targets are deduplicated by endpoint and probe spec). Status changes come out of
/// `transitions`, once each. As a ServiceLifecycle service it runs until graceful shutdown, then stops probing and
/// ends `transitions`. All mutable state lives on the event loop.
public final class HealthChecker: ServiceLifecycle.Service, @unchecked Sendable {
    /// Status changes, in the order they happened.
    public let transitions: AsyncStream<HealthTransition>
    /// The event loop every probe runs on.
    public let loop: any EventLoop

    let continuation: AsyncStream<HealthTransition>.Continuation
    let logger: Logger
    let observer: (any HealthObserver)?
    private let group: MultiThreadedEventLoopGroup
    // Confined to `loop`.
    var entries: [HealthTarget: ProbeEntry] = [:]
    var stats = HealthCheckerStatistics()
    var stopped = false
    var bootstraps: [Duration: ClientBootstrap] = [:]
    /// Due probes, by tick: NIO cancels a scheduled task by a linear scan of its heap, so one NIO task per target
    /// would cost O(targets) per cancelled connect timeout. One repeating tick drains this wheel instead, and
    /// NIO's heap holds only the timeouts of probes in flight.
    var wheel = TimingWheel<ProbeEntry>()
    var ticker: RepeatedTask?

    /// A prober with its own one-thread event loop group. `observer` sees every probe's result.
    public init(logger: Logger, observer: (any HealthObserver)? = nil) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        self.logger = logger
        self.observer = observer
        (transitions, continuation) = AsyncStream.makeStream(of: HealthTransition.self)
    }

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
        try await loop.submit { self.entries.mapValues(\.state.status) }.get()
    }

    /// The last failure of up to `limit` targets whose last probe failed, for diagnosis.
    public func lastFailures(limit: Int = 10) async throws -> [HealthTarget: String] {
        try await loop.submit {
            var failures: [HealthTarget: String] = [:]
            for (target, entry) in self.entries where failures.count < limit {
                if let failure = entry.lastFailure { failures[target] = failure }
            }
            return failures
        }.get()
    }

    /// The counters so far, with the loop thread's CPU time. `resetLag` starts the lag figures afresh afterwards
    /// (a benchmark measures them over a window).
    public func statistics(resetLag: Bool = false) async throws -> HealthCheckerStatistics {
        try await loop.submit {
            var stats = self.stats
            if resetLag {
                self.stats.maxLag = .zero
                self.stats.totalLag = .zero
            }
            stats.targets = self.entries.count
            stats.down = self.entries.values.count { $0.state.status == .down }
            stats.loopCPU = LoopCPUTime.now()
            return stats
        }.get()
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await stop()
    }

    /// Stops probing, ends `transitions` and shuts the event loop down.
    public func stop() async throws {
        try await loop.submit {
            self.stopped = true
            self.ticker?.cancel()
            for entry in self.entries.values {
                entry.removed = true
                entry.scheduled?.cancel()
            }
            self.entries.removeAll()
        }.get()
        continuation.finish()
        try await group.shutdownGracefully()
    }

    private func add(_ target: HealthTarget) {
        guard !stopped, entries[target] == nil else { return }
        if ticker == nil {
            wheel.start(at: .now())
            ticker = loop.scheduleRepeatedTask(initialDelay: wheel.tick, delay: wheel.tick) { [self] _ in
                for entry in wheel.due(now: .now()) where !entry.removed { fire(entry) }
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
        entries[target] = entry
        schedule(entry)
    }

    private func remove(_ target: HealthTarget) {
        guard let entry = entries.removeValue(forKey: target) else { return }
        entry.removed = true
        entry.scheduled?.cancel()
    }

    private func schedule(_ entry: ProbeEntry) {
        wheel.insert(entry, at: entry.next)
    }

    private func fire(_ entry: ProbeEntry) {
        guard !entry.removed, !stopped else { return }
        let now = NIODeadline.now()
        let lag = Duration.nanoseconds(max(now.uptimeNanoseconds, entry.next.uptimeNanoseconds) - entry.next.uptimeNanoseconds)
        stats.maxLag = max(stats.maxLag, lag)
        stats.totalLag += lag
        let interval = TimeAmount(entry.target.probe.interval)
        entry.next = entry.next + interval
        if entry.next < now {
            stats.overrun += 1
            entry.next = now + interval
        }
        schedule(entry)
        guard !entry.inFlight else {
            stats.skipped += 1
            return
        }
        entry.inFlight = true
        stats.started += 1
        start(ProbeAttempt(entry: entry, started: now) { [self] entry, failure, started in
            complete(entry, failure: failure, started: started)
        })
    }

    private func complete(_ entry: ProbeEntry, failure: ProbeFailure?, started: NIODeadline) {
        entry.inFlight = false
        stats.finished += 1
        if failure != nil { stats.failed += 1 }
        let latency = Duration.nanoseconds(NIODeadline.now().uptimeNanoseconds - started.uptimeNanoseconds)
        observer?.probed(entry.target, success: failure == nil, latency: latency)
        guard !entry.removed, !stopped else { return }
        entry.lastFailure = failure?.description
        let probe = entry.target.probe
        guard let status = entry.state.record(success: failure == nil, rise: probe.rise, fall: probe.fall) else { return }
        continuation.yield(
            HealthTransition(target: entry.target, status: status, reason: status == .down ? entry.lastFailure : nil)
        )
    }
}
