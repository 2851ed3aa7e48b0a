import Foundation

/// kube-proxy's health rule, as a pure state machine: the proxy is healthy unless an object change has been
/// waiting longer than `timeout` (kube-proxy uses twice the sync period) to reach the kernel. A change marks
/// the oldest pending time (``queued(at:)``); a pass that programmed everything clears it and stamps
/// ``lastUpdated`` (``updated(at:)``). A pass with refused operations clears nothing, so a kernel that keeps
/// refusing makes the node unhealthy once the timeout passes.
public struct ProxyHealth: Sendable, Hashable {
    /// How long a change may wait.
    public var timeout: Duration
    /// When the kernel was last brought fully up to date; nil before the first pass.
    public private(set) var lastUpdated: Date?
    /// When the oldest change not yet programmed arrived; nil when none waits.
    public private(set) var oldestPending: Date?

    /// A state in which nothing has happened yet.
    public init(timeout: Duration) {
        self.timeout = timeout
    }

    /// A change arrived (or the proxy started and owes its first pass).
    public mutating func queued(at time: Date) {
        if oldestPending == nil { oldestPending = time }
    }

    /// A pass programmed everything pending.
    public mutating func updated(at time: Date) {
        lastUpdated = time
        oldestPending = nil
    }

    /// The answer at `now`.
    public func status(at now: Date) -> ProxyHealthStatus {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let healthy = oldestPending.map { now.timeIntervalSince($0) < seconds } ?? true
        return ProxyHealthStatus(healthy: healthy, lastUpdated: lastUpdated, currentTime: now)
    }
}
