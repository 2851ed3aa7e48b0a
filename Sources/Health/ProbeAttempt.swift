import NIOCore

/// One probe in flight: finishes exactly once, on success, failure or timeout, then closes its channel.
/// Confined to the prober's event loop: not Sendable, carried in NIO's callbacks as `NIOLoopBound`.
final class ProbeAttempt {
    let entry: ProbeEntry
    let started: NIODeadline
    var channel: (any Channel)?
    var timeout: Scheduled<Void>?
    private(set) var done = false
    private let completion: (ProbeEntry, ProbeFailure?, NIODeadline) -> Void

    init(entry: ProbeEntry, started: NIODeadline, completion: @escaping (ProbeEntry, ProbeFailure?, NIODeadline) -> Void) {
        self.entry = entry
        self.started = started
        self.completion = completion
    }

    /// Ends the probe with `failure` (nil: success). Later calls do nothing.
    func finish(_ failure: ProbeFailure?) {
        guard !done else { return }
        done = true
        timeout?.cancel()
        channel?.close(promise: nil)
        channel = nil
        completion(entry, failure, started)
    }

    /// Attaches the probe's channel once it exists; closes it at once when the probe already ended.
    func attach(_ channel: any Channel) {
        if done { channel.close(promise: nil) } else { self.channel = channel }
    }
}
