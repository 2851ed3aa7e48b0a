import IPVS
import Kube
import Logging
import Metrics
import Prometheus
import Proxy
import ServiceLifecycle
import Settings
import Telemetry
import Values

/// The metrics backend and the HTTP endpoints of `run`: Prometheus through swift-metrics at
/// `--metrics-bind-address`, kube-proxy's /healthz and /livez at `--healthz-bind-address`.
struct TelemetryWiring {
    let registry: PrometheusCollectorRegistry
    let metrics: ProxyMetrics
    /// kube-proxy's families (`kubeproxy_*`), under its names.
    let kubeProxy: KubeProxyMetrics
    /// `process_*`, read from /proc/self at each scrape.
    let process: ProcessMetrics
    /// The bytes the allocator has handed out and not had back, read at each scrape: beside the resident set, it
    /// tells the proxy's own data from the free pages the allocator keeps (a leak grows this one).
    let heap: Metrics.Gauge

    /// The heap gauge's name.
    static let heapInUse = "ipvs_proxy_heap_in_use_bytes"
    /// The per-Service IPVS traffic, read at `--service-traffic-metrics-interval` (nil when 0).
    let traffic: ServiceTrafficMetrics?
    let health: ProxyHealthRecorder

    /// The help text of every family that has one (swift-metrics carries none: it is added to the text served).
    static let help: [String: String] = KubeProxyMetrics.help.merging(ProcessMetrics.help) { first, _ in first }
        .merging([APIClientMetrics.Name.requests: restClientRequestsHelp]) { first, _ in first }
        .merging([
            heapInUse: "Bytes of heap allocated and not freed (glibc mallinfo2: arenas in use plus mapped blocks)."
        ]) { first, _ in first }

    /// client-go's help text of `rest_client_requests_total`.
    static let restClientRequestsHelp = "Number of HTTP requests, partitioned by status code, method, and host."

    /// Bootstraps swift-metrics with a Prometheus registry (once per process) and makes the proxy's metrics.
    init(settings: ProxySettings) {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Fine between 10 and 100 ms, where a change's latency at scale falls (issue 15 P5 asks for p99 < 20 ms).
        let buckets: [Duration] = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(15),
            .milliseconds(20), .milliseconds(25), .milliseconds(30), .milliseconds(40), .milliseconds(50),
            .milliseconds(75), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2),
            .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        factory.durationHistogramBuckets[ProxyMetrics.Name.syncDuration] = buckets
        factory.durationHistogramBuckets[ProxyMetrics.Name.networkProgramming] = buckets
        factory.durationHistogramBuckets.merge(KubeProxyMetrics.buckets) { _, kubeProxy in kubeProxy }
        MetricsSystem.bootstrap(factory)
        metrics = ProxyMetrics(factory: factory)
        kubeProxy = KubeProxyMetrics(factory: factory)
        process = ProcessMetrics(factory: factory)
        heap = Metrics.Gauge(label: Self.heapInUse, factory: factory)
        traffic = settings.serviceTrafficMetricsInterval > .zero ? ServiceTrafficMetrics() : nil
        // kube-proxy's rule: unhealthy when a change has waited more than twice the sync period.
        health = ProxyHealthRecorder(timeout: settings.syncPeriod * 2)
    }

    /// The reconcile loop's observers for the metrics beside `ProxyMetrics`.
    var observers: [any ReconcileObserver] {
        [kubeProxy] + (traffic.map { [ServiceTrafficObserver(metrics: $0)] } ?? [])
    }

    /// The per-Service traffic collector, on a netlink connection of its own (nil when turned off). Blocks.
    func trafficCollector(_ settings: ProxySettings, logger: Logger) throws -> ServiceTrafficCollector? {
        guard let traffic else { return nil }
        return ServiceTrafficCollector(
            kernel: try IPVSNetlinkClient(logger: logger), metrics: traffic,
            interval: settings.serviceTrafficMetricsInterval, share: readShare(settings), logger: logger)
    }

    /// The share of one CPU the resync's reads, and the traffic metrics' reads, may take each: `--kernel-read-cpu`,
    /// halved between the two while the traffic metrics are on.
    func readShare(_ settings: ProxySettings) -> CPUShare {
        let share = CPUShare(settings.kernelReadShare)
        return traffic == nil ? share : share.half
    }

    /// The endpoint servers the settings turn on.
    func services(_ settings: ProxySettings, logger: Logger) -> [any ServiceLifecycle.Service] {
        var services: [any ServiceLifecycle.Service] = []
        let (registry, health, process, kubeProxy, traffic) = (registry, health, process, kubeProxy, traffic)
        let heap = heap
        if let address = settings.metricsBindAddress {
            services.append(
                HTTPEndpointServer(
                    host: address.host.description, port: address.port,
                    routes: [
                        "/metrics": {
                            process.collect()
                            heap.record(MallocHeap.bytesInUse)
                            var body = PrometheusHelp.adding(Self.help, to: registry.emitToBuffer())
                            if let traffic {  // written by the proxy itself (ServiceTrafficMetrics.exposition)
                                if body.last.map({ $0 != UInt8(ascii: "\n") }) ?? false {
                                    body.append(UInt8(ascii: "\n"))
                                }
                                body += Array(traffic.exposition().utf8)
                            }
                            return HTTPEndpointResponse(
                                status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: body)
                        }
                    ],
                    logger: logger))
        }
        if let address = settings.healthzBindAddress {
            // kube-proxy's two answers: /livez is the proxy's own health, /healthz adds the node's eligibility;
            // each answer is counted by its code (kubeproxy_proxy_healthz_total, kubeproxy_proxy_livez_total).
            let answer = { (endpoint: ProxyHealthStatus.Endpoint) -> HTTPEndpointServer.Handler in
                {
                    let status = health.status(for: endpoint)
                    kubeProxy.answered(livez: endpoint == .livez, code: status.httpStatus)
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
