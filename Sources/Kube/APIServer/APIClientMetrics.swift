import Values
import Logging
import Metrics

/// The API client's metrics, made once per source through swift-metrics (the CLI bootstraps a Prometheus backend):
/// client-go's `rest_client_requests_total{code,method,host}` (the code, or `<error>` when no response came), the
/// relists, and the consecutive failed requests per resource (0 while the connection is healthy). Labels are bounded:
/// HTTP codes, the methods (GET, and POST and PATCH of Events), one host, the watched resources.
public final class APIClientMetrics: Sendable {
    /// Metric names, for docs and tests.
    public enum Name {
        /// client-go's name and labels.
        public static let requests = "rest_client_requests_total"
        /// Lists (or streamed lists) after the first complete one, by resource.
        public static let relists = "ipvs_proxy_api_relists_total"
        /// Failed requests since the last success, by resource.
        public static let consecutiveFailures = "ipvs_proxy_api_consecutive_failures"
    }

    private let factory: any MetricsFactory
    private let host: String
    private let requests = Locked<[String: Counter]>([:])
    private let relists = Locked<[String: Counter]>([:])
    private let failures = Locked<[String: Gauge]>([:])

    /// Metrics for requests to `host` (host:port, as client-go's label), through `factory`.
    public init(host: String, factory: any MetricsFactory = MetricsSystem.factory) {
        self.host = host
        self.factory = factory
    }

    /// Counts one request by its method and result: the HTTP code, or nil when no response came (`<error>`, as
    /// client-go).
    func request(code: UInt?, method: String = "GET") {
        let code = code.map(String.init) ?? "<error>"
        let counter = requests.withLock { counters in
            let key = method + " " + code
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: Name.requests, dimensions: [("code", code), ("method", method), ("host", host)],
                factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Counts a relist of `resource`.
    func relisted(_ resource: String) {
        relists.withLock { counters in
            if counters[resource] == nil {
                counters[resource] = Counter(
                    label: Name.relists, dimensions: [("resource", resource)], factory: factory)
            }
            return counters[resource]
        }?.increment()
    }

    /// Records the failed requests of `resource` since its last success.
    func consecutiveFailures(_ resource: String, _ count: Int) {
        failures.withLock { gauges in
            if gauges[resource] == nil {
                gauges[resource] = Gauge(
                    label: Name.consecutiveFailures, dimensions: [("resource", resource)], factory: factory)
            }
            return gauges[resource]
        }?.record(count)
    }
}

/// The API connection's state for one resource, logged when it changes: one warning when requests start failing,
/// one notice when they succeed again (with how many failed and for how long); each retry in between at info.
struct ConnectionHealth {
    let resource: String
    let metrics: APIClientMetrics
    private(set) var failures = 0
    private var since: Duration?

    init(resource: String, metrics: APIClientMetrics) {
        self.resource = resource
        self.metrics = metrics
    }

    /// A request got a response the watcher can go on with.
    mutating func succeeded(at now: Duration, _ logger: Logger) {
        if failures > 0 {
            let down = since.map { now - $0 } ?? .zero
            logger.notice(
                "API server connection healthy again",
                metadata: ["failedRequests": "\(failures)", "for": "\(down)"])
            metrics.consecutiveFailures(resource, 0)
        }
        failures = 0
        since = nil
    }

    /// A request failed (`what`: the status or the error).
    mutating func failed(at now: Duration, _ what: Logger.Metadata, _ message: String, _ logger: Logger) {
        failures += 1
        metrics.consecutiveFailures(resource, failures)
        var metadata = what
        metadata["failedRequests"] = "\(failures)"
        if failures == 1 {
            since = now
            logger.warning("API server connection degraded: \(message); retrying with backoff", metadata: metadata)
        } else {
            logger.info("\(message)", metadata: metadata)
        }
    }
}
