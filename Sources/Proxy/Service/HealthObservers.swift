import Logging
import NIOPosix

/// Sends the endpoints to probe, as the loop reports them, to the prober (through `HealthBridge`) or a test
/// double.
public struct HealthTargetsObserver: ReconcileObserver {
    let sink: any HealthTargetSink

    /// Sends to `sink`.
    public init(sink: any HealthTargetSink) {
        self.sink = sink
    }

    public func observe(_ report: ReconcileReport) async {
        if case .healthTargets(let changes) = report { sink.update(changes) }
    }
}

/// Writes the health state file (`--health-state-file`) that `ipvs-proxy status` reads, whenever health changed.
/// The file is encoded and written on `threadPool` (NIO's thread pool): the observer's task only waits, so file
/// I/O never holds a thread of Swift's cooperative pool. Writes follow one another in report order.
public struct HealthStateFile: ReconcileObserver {
    /// Where the file goes.
    public let path: String
    let threadPool: NIOThreadPool
    let logger: Logger

    /// Writes to `path` on `threadPool`; failures are logged through `logger`.
    public init(path: String, threadPool: NIOThreadPool = .singleton, logger: Logger) {
        self.path = path
        self.threadPool = threadPool
        self.logger = logger
    }

    public func observe(_ report: ReconcileReport) async {
        guard case .health(_, let state) = report else { return }
        let path = self.path
        do {
            try await threadPool.runIfActive { try state.write(to: path) }
        } catch {
            logger.warning("could not write the health state file", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }
}
