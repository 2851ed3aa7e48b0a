import Foundation
import NIOPosix
import UnixSignals

/// The server's signals arrive as async sequences (ServiceLifecycle's `UnixSignalsSequence`): a task waits for them,
/// nothing runs in a signal handler. Once `UnixSignalsSequence(trapping:)` has returned, its signals no longer take
/// their default action (one that arrives before the sequence is read waits in it), so trap them before telling
/// anyone the server runs.
extension PodServer {
    /// Serves until one of `stops` arrives (or the task is cancelled), then closes the listeners and returns: the
    /// clean shutdown that `kill` asks for.
    public func run(until stops: UnixSignalsSequence) async {
        var signals = stops.makeAsyncIterator()
        if let received = await signals.next() {
            logger.info("signal received, shutting down", metadata: ["signal": "\(received)"])
        }
        await shutdown()
    }

    /// Re-reads the response delay from `file` (the command-line form, e.g. `exp:200ms`) whenever one of `reloads`
    /// arrives, until the task is cancelled: how the fixture makes a running pod slow down (or recover) midway.
    /// Once applied, the delay is written back to `file.applied`. The file is read and written on NIO's thread
    /// pool.
    public func reloadDelay(from file: String, on reloads: UnixSignalsSequence) async {
        for await _ in reloads {
            do {
                let delay = try await NIOThreadPool.singleton.runIfActive {
                    try DelayDistribution(
                        parsing: try String(contentsOfFile: file, encoding: .utf8)
                            .trimmingCharacters(in: .whitespacesAndNewlines))
                }
                sampler.distribution = delay
                // The acknowledgement that the fixture waits for.
                try await NIOThreadPool.singleton.runIfActive {
                    try Data((delay.description + "\n").utf8).write(
                        to: URL(fileURLWithPath: file + ".applied"), options: .atomic)
                }
                logger.info("delay changed", metadata: ["pod": "\(configuration.name)", "delay": "\(delay)"])
            } catch {
                logger.error("delay not changed", metadata: ["file": "\(file)", "error": "\(error)"])
            }
        }
    }
}
