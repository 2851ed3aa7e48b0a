import Pods

/// Something that happens to one pod at a time offset into every scheduler's run: it slows down, fails, or
/// comes back. After each run every pod is put back as it started.
public struct PodEvent: Sendable, Hashable, Codable {
    /// What happens.
    public enum Action: Sendable, Hashable, Codable {
        /// Its server stops: connections are refused.
        case stop
        /// Its server starts again.
        case start
        /// Its server freezes: connections are accepted and never answered.
        case pause
        /// Its server runs again.
        case resume
        /// Its response delay changes.
        case delay(DelayDistribution)
    }

    /// When, from the start of the measured run.
    public var at: Duration
    /// Which pod (its index).
    public var pod: Int
    /// What happens.
    public var action: Action

    /// An event.
    public init(at: Duration, pod: Int, action: Action) {
        self.at = at
        self.pod = pod
        self.action = action
    }
}
