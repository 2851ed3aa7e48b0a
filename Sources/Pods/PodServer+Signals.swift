import Dispatch
import Foundation

extension PodServer {
    /// Serves until one of `signals` arrives (SIGTERM and SIGINT by default), then closes the listeners and
    /// returns: the clean shutdown that `kill` asks for.
    public func runUntilSignalled(_ signals: [Int32] = [SIGTERM, SIGINT]) async {
        let received = await Self.waitForSignal(signals)
        logger.info("signal received, shutting down", metadata: ["signal": "\(received)"])
        await shutdown()
    }

    /// Waits for the first of `signals`. Their default actions are turned off so that they are delivered here.
    static func waitForSignal(_ signals: [Int32]) async -> Int32 {
        let queue = DispatchQueue(label: "pod-server.signals")
        return await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let sources = signals.map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
            // Touched only on `queue`.
            nonisolated(unsafe) var resumed = false
            for (signalNumber, source) in zip(signals, sources) {
                signal(signalNumber, SIG_IGN)
                source.setEventHandler {
                    guard !resumed else { return }
                    resumed = true
                    sources.forEach { $0.cancel() }
                    continuation.resume(returning: signalNumber)
                }
                source.resume()
            }
        }
    }
}

extension PodServer {
    /// Re-reads the response delay from `file` (the command-line form, e.g. `exp:200ms`) whenever `signalNumber`
    /// arrives: how the fixture makes a running pod slow down (or recover) midway. Once applied, the delay is
    /// written back to `file.applied`. Keep the returned source; the reloading stops when it is cancelled.
    public func reloadingDelay(from file: String, on signalNumber: Int32 = SIGUSR1) -> any DispatchSourceSignal {
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: DispatchQueue(label: "pod-delay"))
        source.setEventHandler { [sampler, logger, configuration] in
            do {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                let delay = try DelayDistribution(parsing: text)
                sampler.distribution = delay
                // The acknowledgement that the fixture waits for.
                try Data((delay.description + "\n").utf8).write(
                    to: URL(fileURLWithPath: file + ".applied"), options: .atomic)
                logger.info("delay changed", metadata: ["pod": "\(configuration.name)", "delay": "\(delay)"])
            } catch {
                logger.error("delay not changed", metadata: ["file": "\(file)", "error": "\(error)"])
            }
        }
        source.resume()
        return source
    }
}
