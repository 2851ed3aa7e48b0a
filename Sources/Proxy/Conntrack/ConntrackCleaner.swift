import Values
import Foundation
import IPVS
import Logging
import Metrics

/// Deletes stale conntrack flows on a thread of its own, one cleanup at a time, so that the reconcile loop never
/// waits for it: `submit` only records the work. Work submitted while a cleanup runs is merged and runs next.
/// Each cleanup has a deadline and a limit on deletions; a failure is logged and counted, and never reaches the
/// loop (the next change cleans again: the rules cover every UDP and SCTP virtual server, as kube-proxy's do).
public final class ConntrackCleaner: Sendable {
    /// Metric names, for docs and tests.
    public enum Name {
        public static let deleted = "ipvs_proxy_conntrack_flows_deleted_total"
        public static let failures = "ipvs_proxy_conntrack_cleanup_failures_total"
        public static let duration = "ipvs_proxy_conntrack_cleanup_duration_seconds"
    }

    /// The most time one cleanup may take, reading the table included.
    public let timeLimit: Duration
    /// The most flows one cleanup deletes; the rest wait for the next.
    public let deletionLimit: Int
    private let table: any ConntrackCleaning
    private let logger: Logger
    private let deleted: Counter
    private let failures: Counter
    private let duration: Metrics.Timer
    private let state = Locked(State())

    private struct State {
        var pending: StaleFlowRules?
        var running = false
        var finished = 0
    }

    /// A cleaner deleting through `table`.
    public init(
        table: any ConntrackCleaning, timeLimit: Duration = .seconds(10), deletionLimit: Int = 100_000,
        logger: Logger, metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        self.table = table
        self.timeLimit = timeLimit
        self.deletionLimit = deletionLimit
        self.logger = logger
        deleted = Counter(label: Name.deleted, factory: metrics)
        failures = Counter(label: Name.failures, factory: metrics)
        duration = Metrics.Timer(label: Name.duration, factory: metrics)
    }

    /// Cleanups run to their end so far (for tests and logs).
    public var finishedCleanups: Int { state.withLock { $0.finished } }

    /// Records `rules` for a cleanup and returns at once; the cleanup runs on the cleaner's thread.
    public func submit(_ rules: StaleFlowRules) {
        let start = state.withLock { state -> Bool in
            state.pending = state.pending.map { $0.merging(rules) } ?? rules
            guard !state.running else { return false }
            state.running = true
            return true
        }
        guard start else { return }
        Thread.detachNewThread { [self] in drain() }
    }

    /// Runs the pending cleanups one after another until none is left.
    private func drain() {
        while let rules = state.withLock({ state -> StaleFlowRules? in
            guard let next = state.pending else {
                state.running = false
                return nil
            }
            state.pending = nil
            return next
        }) {
            clean(rules)
            state.withLock { $0.finished += 1 }
        }
    }

    /// One cleanup: reads the table, deletes what `rules` find stale, logs and counts what happened.
    private func clean(_ rules: StaleFlowRules) {
        let clock = ContinuousClock()
        let start = clock.now
        let result: ConntrackCleanupResult
        do {
            result = try table.deleteFlows(limit: deletionLimit, deadline: start + timeLimit, where: rules.isStale)
        } catch {
            failures.increment()
            logger.error(
                "could not clean stale UDP/SCTP conntrack flows; the next change of endpoints tries again",
                metadata: ["error": "\(error)"])
            return
        }
        let elapsed = clock.now - start
        duration.recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        deleted.increment(by: result.deleted)
        var metadata: Logger.Metadata = [
            "deleted": "\(result.deleted)", "stale": "\(result.stale)", "examined": "\(result.examined)",
            "seconds": "\(elapsed.secondsText)",
        ]
        if result.failed > 0 || result.leftOver > 0 {
            failures.increment()
            metadata["refused"] = "\(result.failed)"
            metadata["leftOver"] = "\(result.leftOver)"
            if let error = result.firstError { metadata["error"] = "\(error)" }
            logger.warning("some stale UDP/SCTP conntrack flows were not deleted", metadata: metadata)
        } else if result.deleted > 0 {
            logger.info("stale UDP/SCTP conntrack flows deleted", metadata: metadata)
        } else {
            logger.debug("no stale UDP/SCTP conntrack flow", metadata: metadata)
        }
    }
}

/// Hands the conntrack cleaner the rules of each pass that changed a UDP or SCTP virtual server's real servers
/// (`StaleFlowRules.after`), after the pass has programmed the kernel. Never waits for the cleanup.
public struct ConntrackObserver: ReconcileObserver {
    let cleaner: ConntrackCleaner
    private var frontends = CleanedFrontends()

    /// An observer feeding `cleaner`.
    public init(cleaner: ConntrackCleaner) {
        self.cleaner = cleaner
    }

    public mutating func observe(_ report: ReconcileReport) async {
        guard case .pass(let pass) = report else { return }
        guard let rules = frontends.update(pass.desired, touched: pass.touched) else { return }
        cleaner.submit(rules)
    }
}
