import FoundationEssentials

/// What /healthz and /livez answer, in kube-proxy's shape: 200 or 503, with a JSON body
/// `{"lastUpdated": "...", "currentTime": "...", "nodeEligible": true, "healthy": true}` (times in RFC 3339;
/// `nodeEligible` only from /healthz, and only once Nodes are read).
///
/// As kube-proxy does for compatibility with older releases, a 200 answer reports `lastUpdated` as the current
/// time; a 503 answer reports the real last update (Go's zero time, `0001-01-01T00:00:00Z`, when there was none).
public struct ProxyHealthStatus: Sendable, Hashable {
    /// Which of the two endpoints answers.
    public enum Endpoint: Sendable, Hashable {
        /// The readiness answer: the proxy is programming changes and the node is eligible.
        case healthz
        /// The liveness answer: the proxy is programming changes.
        case livez
    }

    /// The endpoint this answer is for.
    public var endpoint: Endpoint
    /// True unless a change has waited too long.
    public var healthy: Bool
    /// Whether the node may take traffic; nil when unknown (Nodes not read) or for /livez.
    public var nodeEligible: Bool?
    /// When the kernel was last brought up to date.
    public var lastUpdated: Date?
    /// The time of the answer.
    public var currentTime: Date

    /// A status.
    public init(
        endpoint: Endpoint = .livez, healthy: Bool, nodeEligible: Bool? = nil, lastUpdated: Date?, currentTime: Date
    ) {
        self.endpoint = endpoint
        self.healthy = healthy
        self.nodeEligible = nodeEligible
        self.lastUpdated = lastUpdated
        self.currentTime = currentTime
    }

    /// True when the endpoint answers 200: healthy, and for /healthz a node that is not known to be ineligible.
    public var ok: Bool { healthy && nodeEligible != false }

    /// 200 when ``ok``, 503 otherwise.
    public var httpStatus: Int { ok ? 200 : 503 }

    /// The JSON body.
    public var json: String {
        var body = "{\"lastUpdated\": \"\(Self.format(ok ? currentTime : lastUpdated))\", "
        body += "\"currentTime\": \"\(Self.format(currentTime))\", "
        if let nodeEligible { body += "\"nodeEligible\": \(nodeEligible), " }
        return body + "\"healthy\": \(healthy)}"
    }

    /// RFC 3339 in UTC with milliseconds. FoundationEssentials' style, not Foundation's `ISO8601DateFormatter`:
    /// that one is an ICU formatter, and with the kubelet's probes every 10 s the proxy held 5.7 MiB of ICU's
    /// library resident, against 3.1 MiB without it (docs/performance.md#memory-at-10000-services).
    static func format(_ date: Date?) -> String {
        guard let date else { return "0001-01-01T00:00:00Z" }
        return Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }
}
