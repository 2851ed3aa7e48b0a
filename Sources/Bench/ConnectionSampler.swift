import Values
import IPVS
import Logging
import Synchronization

/// Samples the IPVS table's active connections per real server while a run lasts.
final class ConnectionSampler: Sendable {
    private let samples = Locked<[[UInt32]]>([])
    private let finished = Atomic<Bool>(false)

    /// Samples every `interval` until ``finish()``; each sample lists `addresses`' ActiveConn in that order.
    func run(
        kernel: any IPVSKernel, key: VirtualServerKey, addresses: [IPAddress], interval: Duration, logger: Logger
    ) async {
        while !finished.load(ordering: .relaxed) {
            do {
                if let state = try kernel.virtualServer(key) {
                    let row = addresses.map { address in
                        state.realServers.first { $0.server.address == address }?.activeConnections ?? 0
                    }
                    samples.withLock { $0.append(row) }
                }
            } catch {
                logger.debug("IPVS sample failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Stops sampling.
    func finish() { finished.store(true, ordering: .relaxed) }

    /// Whether sampling was stopped.
    var isFinished: Bool { finished.load(ordering: .relaxed) }

    /// The samples, one row per sample; `byServer` turns them into one series per real server.
    var rows: [[UInt32]] { samples.withLock { $0 } }

    /// One series per real server (the transpose of ``rows``).
    func byServer(count: Int) -> [[UInt32]] {
        let rows = self.rows
        return (0..<count).map { index in rows.map { index < $0.count ? $0[index] : 0 } }
    }
}
