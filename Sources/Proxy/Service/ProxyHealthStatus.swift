import Foundation

/// What /healthz and /livez answer, in kube-proxy's shape: 200 or 503, with a JSON body
/// `{"lastUpdated": "...", "currentTime": "..."}` (times in RFC 3339; never updated reads as Go's zero time,
/// `0001-01-01T00:00:00Z`, as kube-proxy prints it).
public struct ProxyHealthStatus: Sendable, Hashable {
    /// True unless a change has waited too long.
    public var healthy: Bool
    /// When the kernel was last brought up to date.
    public var lastUpdated: Date?
    /// The time of the answer.
    public var currentTime: Date

    /// A status.
    public init(healthy: Bool, lastUpdated: Date?, currentTime: Date) {
        self.healthy = healthy
        self.lastUpdated = lastUpdated
        self.currentTime = currentTime
    }

    /// 200 when healthy, 503 otherwise.
    public var httpStatus: Int { healthy ? 200 : 503 }

    /// The JSON body.
    public var json: String {
        "{\"lastUpdated\": \"\(Self.format(lastUpdated))\", \"currentTime\": \"\(Self.format(currentTime))\"}"
    }

    static func format(_ date: Date?) -> String {
        guard let date else { return "0001-01-01T00:00:00Z" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
