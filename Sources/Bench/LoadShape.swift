import Values

/// How the load generator drives the virtual server.
public struct LoadShape: Sendable, Hashable, Codable {
    /// Open or closed loop.
    public enum Mode: Sendable, Hashable, Codable {
        /// `concurrency` clients, each sending its next request when the previous one is answered (after
        /// ``LoadShape/think``).
        case closed(concurrency: Int)
        /// Requests start at a fixed rate (per second) whatever the answers; latency counts from each request's
        /// scheduled start, so a stalled server is not hidden (no coordinated omission).
        case open(rate: Double)
    }

    /// Open or closed loop.
    public var mode: Mode
    /// How long each scheduler is measured.
    public var duration: Duration
    /// Requests per connection before it is closed and a new one opened: 1 is a connection per request, 0 keeps
    /// connections open for the whole run (keep-alive).
    public var requestsPerConnection: Int
    /// A closed-loop client's pause between an answer and its next request (long-lived, mostly idle connections).
    public var think: Duration
    /// A request not answered within this counts as a timeout error.
    public var timeout: Duration

    /// A load shape.
    public init(
        mode: Mode, duration: Duration, requestsPerConnection: Int = 1, think: Duration = .zero,
        timeout: Duration = .seconds(5)
    ) {
        self.mode = mode
        self.duration = duration
        self.requestsPerConnection = requestsPerConnection
        self.think = think
        self.timeout = timeout
    }

    /// "closed, 16 clients" / "open, 200 req/s", with the connection reuse.
    public var summary: String {
        let loop: String
        switch mode {
        case .closed(let concurrency): loop = "closed loop, \(concurrency) clients"
        case .open(let rate): loop = "open loop, \(BenchFormat.number(rate)) req/s"
        }
        let reuse: String
        switch requestsPerConnection {
        case 1: reuse = "a connection per request"
        case 0: reuse = "keep-alive connections"
        default: reuse = "\(requestsPerConnection) requests per connection"
        }
        let pause = think > .zero ? ", \(GoDuration.format(think)) think time" : ""
        return "\(loop), \(reuse)\(pause), \(GoDuration.format(duration)) per scheduler"
    }
}
