/// An endpoint changed status.
public struct HealthTransition: Sendable, Hashable, CustomStringConvertible {
    /// What was probed.
    public var target: HealthTarget
    /// Its new status.
    public var status: HealthStatus
    /// Why the last probe failed ("connection refused", "timed out", "status 503"), when it did.
    public var reason: String?

    /// A transition.
    public init(target: HealthTarget, status: HealthStatus, reason: String? = nil) {
        self.target = target
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(target) \(status)" + (reason.map { ": \($0)" } ?? "") }
}
