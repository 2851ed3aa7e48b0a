import Logging
import Metrics
import Prometheus
import Proxy
import ServiceLifecycle
import Settings
import Telemetry

/// The metrics backend and the HTTP endpoints of `run`: Prometheus through swift-metrics at
/// `--metrics-bind-address`, kube-proxy's /healthz and /livez at `--healthz-bind-address`.
struct TelemetryWiring {
    let registry: PrometheusCollectorRegistry
    let metrics: ProxyMetrics
    let health: ProxyHealthRecorder

    /// Bootstraps swift-metrics with a Prometheus registry (once per process) and makes the proxy's metrics.
    init(settings: ProxySettings) {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        let buckets: [Duration] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30),
            .seconds(60),
        ]
        factory.durationHistogramBuckets[ProxyMetrics.Name.syncDuration] = buckets
        factory.durationHistogramBuckets[ProxyMetrics.Name.networkProgramming] = buckets
        MetricsSystem.bootstrap(factory)
        metrics = ProxyMetrics(factory: factory)
        // kube-proxy's rule: unhealthy when a change has waited more than twice the sync period.
        health = ProxyHealthRecorder(timeout: settings.syncPeriod * 2)
    }

    /// The endpoint servers the settings turn on.
    func services(_ settings: ProxySettings, logger: Logger) -> [any Service] {
        var services: [any Service] = []
        let registry = self.registry
        let health = self.health
        if let address = settings.metricsBindAddress {
            services.append(
                HTTPEndpointServer(
                    host: address.host.description, port: address.port,
                    routes: [
                        "/metrics": {
                            HTTPEndpointResponse(
                                status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                                body: registry.emitToBuffer())
                        }
                    ],
                    logger: logger))
        }
        if let address = settings.healthzBindAddress {
            // kube-proxy's two answers: /livez is the proxy's own health, /healthz adds the node's eligibility.
            let answer = { (endpoint: ProxyHealthStatus.Endpoint) -> HTTPEndpointServer.Handler in
                {
                    let status = health.status(for: endpoint)
                    return HTTPEndpointResponse(
                        status: status.httpStatus, contentType: "application/json", body: Array(status.json.utf8))
                }
            }
            services.append(
                HTTPEndpointServer(
                    host: address.host.description, port: address.port,
                    routes: ["/healthz": answer(.healthz), "/livez": answer(.livez)], logger: logger))
        }
        return services
    }
}
