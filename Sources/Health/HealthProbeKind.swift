/// What a probe does to decide whether an endpoint is healthy.
public enum HealthProbeKind: Sendable, Hashable, CustomStringConvertible {
    /// A TCP connection is opened and closed (with a reset, so no TIME_WAIT is left behind at scale).
    case tcp
    /// An HTTP/1.1 GET; healthy when the status code is in `statuses`.
    case http(path: String, host: String?, statuses: ClosedRange<Int>)
    /// A UDP datagram carrying `payload` is sent. With `expect`, healthy when a reply containing those bytes
    /// (any reply when `expect` is empty) arrives within the timeout; without, healthy unless the endpoint answers
    /// with an ICMP port unreachable within the timeout.
    case udp(payload: [UInt8], expect: [UInt8]?)

    /// "tcp", "http", "udp": the probe's name in logs and metrics.
    public var name: String {
        switch self {
        case .tcp: "tcp"
        case .http: "http"
        case .udp: "udp"
        }
    }

    public var description: String {
        switch self {
        case .tcp: "tcp"
        case .http(let path, let host, let statuses):
            "http GET \(path)\(host.map { " Host: \($0)" } ?? "") status \(statuses.lowerBound)-\(statuses.upperBound)"
        case .udp(let payload, let expect):
            "udp \(payload.count) bytes" + (expect.map { " expecting \($0.isEmpty ? "any reply" : "\($0.count) bytes")" } ?? "")
        }
    }
}
