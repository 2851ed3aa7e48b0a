import Health
import IPVS
import Kube
import Logging
import ServiceLifecycle

/// The proxy's reconcile loop as a ServiceLifecycle service: object changes in, kernel updates out.
///
/// It reads the kernel's table first (adoption: nothing is flushed), waits for the source's initial state to be
/// complete before writing anything, then programs the difference. Afterwards each burst of changes becomes one
/// pass over exactly what it touched; every `syncPeriod` the kernel is re-read and fully reconciled, which
/// repairs changes made behind the proxy's back. On graceful shutdown (SIGTERM) it stops and leaves the kernel
/// as it is.
public struct ProxyService: ServiceLifecycle.Service {
    /// How the loop runs.
    public struct Options: Sendable {
        /// How often the kernel is re-read and fully reconciled (`--sync-period`).
        public var syncPeriod: Duration = .seconds(30)
        /// How often draining real servers are checked.
        public var tick: Duration = .seconds(1)
        /// Sync once, after the source's initial state, and return (`--once`).
        public var once = false
        /// Where the health state is written for `ipvs-proxy status`; nil: nowhere.
        public var healthStateFile: String?

        /// The defaults.
        public init() {}
    }

    let source: any ObjectSource
    let reconciler: Reconciler
    let configuration: ProxyConfiguration
    let options: Options
    let masquerade: MasqueradeSync?
    let health: HealthBridge?
    let logger: Logger

    /// A proxy service over `source`, applying through `reconciler`, and keeping the masquerading rules through
    /// `masquerade` when given. With `health`, endpoints of health-checked Services are probed by its checker, and
    /// its transitions reach the loop as inputs.
    public init(
        source: any ObjectSource,
        reconciler: Reconciler,
        configuration: ProxyConfiguration,
        options: Options = Options(),
        masquerade: MasqueradeSync? = nil,
        health: HealthBridge? = nil,
        logger: Logger
    ) {
        self.masquerade = masquerade
        self.source = source
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
            logger: logger,
            masquerade: masquerade
        )
        if let health {
            loop.health = ReconcileLoop.HealthWiring(
                sink: health, metrics: health.metrics, stateFile: options.healthStateFile
            )
        }
        try loop.reconciler.adopt()
        logger.info(
            "adopted the kernel's IPVS table",
            metadata: [
                "virtualServers": "\(loop.reconciler.actual.virtualServers.count)",
                "linkAddresses": "\(loop.reconciler.actual.linkAddresses.count)",
            ]
        )
        let inbox = Inbox()
        let source = self.source
        let tick = options.tick
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in source.events() { inbox.push(.event(event)) }
                inbox.push(.sourceEnded)
            }
            if let transitions = health?.checker.transitions {
                group.addTask {
                    for await transition in transitions { inbox.push(.health(transition)) }
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: tick)
                    inbox.push(.tick)
                }
            }
            defer { group.cancelAll() }
            for await _ in inbox.signals.cancelOnGracefulShutdown() {
                let outcome = try loop.handle(inbox.take(), now: .now)
                if options.once && outcome.firstSyncDone {
                    logger.info("synced once; exiting (--once)")
                    return
                }
            }
            logger.info("shutting down; the kernel is left as it is")
        }
    }
}
