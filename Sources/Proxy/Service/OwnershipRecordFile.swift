import Logging
import NIOPosix

/// Writes the ownership record (`--ownership-file`) whenever the loop reports it changed. Encoded and written on
/// `threadPool` (NIO's thread pool), atomically (write then rename), so file I/O never holds a thread of Swift's
/// cooperative pool and a crash never leaves half a file. Writes follow one another in report order.
public struct OwnershipRecordFile: ReconcileObserver {
    /// Where the file goes.
    public let path: String
    let threadPool: NIOThreadPool
    let logger: Logger

    /// Writes to `path` on `threadPool`; failures are logged through `logger` (and the next change tries again).
    public init(path: String, threadPool: NIOThreadPool = .singleton, logger: Logger) {
        self.path = path
        self.threadPool = threadPool
        self.logger = logger
    }

    public func observe(_ report: ReconcileReport) async {
        guard case .ownership(let record) = report else { return }
        let path = self.path
        do {
            try await threadPool.runIfActive { try record.write(to: path) }
        } catch {
            logger.warning("could not write the ownership record", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }
}
