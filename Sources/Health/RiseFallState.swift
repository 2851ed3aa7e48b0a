/// The rise/fall state machine of one endpoint: `fall` consecutive failures take an up endpoint down, `rise`
/// consecutive successes bring a down endpoint up. A result agreeing with the current status resets the streak.
public struct RiseFallState: Sendable, Hashable {
    /// The current status.
    public private(set) var status: HealthStatus
    /// Consecutive results that disagree with `status` so far.
    public private(set) var streak = 0

    /// A state starting at `status` (up by default: a new endpoint is ready as far as Kubernetes knows).
    public init(status: HealthStatus = .up) {
        self.status = status
    }

    /// Records one probe result; returns the new status when it changed.
    public mutating func record(success: Bool, rise: Int, fall: Int) -> HealthStatus? {
        switch (status, success) {
        case (.up, true), (.down, false):
            streak = 0
            return nil
        case (.up, false):
            streak += 1
            guard streak >= max(fall, 1) else { return nil }
            status = .down
        case (.down, true):
            streak += 1
            guard streak >= max(rise, 1) else { return nil }
            status = .up
        }
        streak = 0
        return status
    }
}
