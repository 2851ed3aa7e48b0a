import Values
import IPVS
import Logging
import Metrics
import NIOPosix
import ServiceLifecycle

/// The per-Service traffic metrics (`ipvs_proxy_service_*`, labelled `namespace`, `service`, `port`; never an
/// address), read from the kernel's IPVS statistics at an interval (`--service-traffic-metrics-interval`) by
/// ``ServiceTrafficCollector``. The Service port of each virtual server comes from the reconcile loop's passes
/// (``ServiceTrafficObserver``), as the desired state keeps it: no per-pass work over the cluster. A Service port's
/// series are made when it first has traffic to report and removed when it is gone.
public final class ServiceTrafficMetrics: Sendable {
    /// Metric names, for docs and tests.
    public enum Name {
        public static let connections = "ipvs_proxy_service_connections_total"
        public static let packets = "ipvs_proxy_service_packets_total"
        public static let bytes = "ipvs_proxy_service_bytes_total"
        public static let activeConnections = "ipvs_proxy_service_active_connections"
        public static let inactiveConnections = "ipvs_proxy_service_inactive_connections"
    }

    /// The help text of each family, by name.
    public static let help: [String: String] = [
        Name.connections: "Connections IPVS scheduled to a Service port (all its virtual servers)",
        Name.packets: "Packets through a Service port's virtual servers, by direction (in: towards the endpoints)",
        Name.bytes: "Bytes through a Service port's virtual servers, by direction (in: towards the endpoints)",
        Name.activeConnections: "Established connections of a Service port's real servers now (ipvsadm ActiveConn)",
        Name.inactiveConnections: "Other connections of a Service port's real servers now (ipvsadm InActConn)",
    ]

    private struct Series {
        let connections: Counter
        let inPackets: Counter
        let outPackets: Counter
        let inBytes: Counter
        let outBytes: Counter
        let active: Gauge
        let inactive: Gauge

        init(_ port: ServiceMap.ServicePort, factory: any MetricsFactory) {
            let labels = [
                ("namespace", port.service.namespace), ("service", port.service.name), ("port", port.port),
            ]
            connections = Counter(label: Name.connections, dimensions: labels, factory: factory)
            inPackets = Counter(label: Name.packets, dimensions: labels + [("direction", "in")], factory: factory)
            outPackets = Counter(label: Name.packets, dimensions: labels + [("direction", "out")], factory: factory)
            inBytes = Counter(label: Name.bytes, dimensions: labels + [("direction", "in")], factory: factory)
            outBytes = Counter(label: Name.bytes, dimensions: labels + [("direction", "out")], factory: factory)
            active = Gauge(label: Name.activeConnections, dimensions: labels, factory: factory)
            inactive = Gauge(label: Name.inactiveConnections, dimensions: labels, factory: factory)
        }

        func record(_ counts: ServiceTraffic.Counts) {
            connections.increment(by: Int64(clamping: counts.connections))
            inPackets.increment(by: Int64(clamping: counts.inPackets))
            outPackets.increment(by: Int64(clamping: counts.outPackets))
            inBytes.increment(by: Int64(clamping: counts.inBytes))
            outBytes.increment(by: Int64(clamping: counts.outBytes))
            active.record(Int64(clamping: counts.activeConnections))
            inactive.record(Int64(clamping: counts.inactiveConnections))
        }

        func destroy() {
            for counter in [connections, inPackets, outPackets, inBytes, outBytes] { counter.destroy() }
            active.destroy()
            inactive.destroy()
        }
    }

    private struct State {
        var ports: [VirtualServerKey: ServiceMap.ServicePort] = [:]
        var traffic = ServiceTraffic()
        var series: [ServiceMap.ServicePort: Series] = [:]
    }

    private let factory: any MetricsFactory
    private let state = Locked(State())

    /// The metrics, made through `factory` (the bootstrapped backend unless a test gives its own).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// Takes the Service port of each virtual server, as the last pass left the desired state.
    func servicePorts(_ ports: [VirtualServerKey: ServiceMap.ServicePort]) {
        state.withLock { $0.ports = ports }
    }

    /// Records one dump of the kernel's table.
    public func record(_ table: [VirtualServerState]) {
        let factory = self.factory
        state.withLock { state in
            let counts = state.traffic.update(table, ports: state.ports)
            for (port, series) in state.series where counts[port] == nil {
                series.destroy()
                state.series[port] = nil
            }
            for (port, counts) in counts {
                let series = state.series[port] ?? Series(port, factory: factory)
                state.series[port] = series
                series.record(counts)
            }
        }
    }
}

/// Hands each pass's Service ports to the traffic metrics.
public struct ServiceTrafficObserver: ReconcileObserver {
    let metrics: ServiceTrafficMetrics

    /// An observer feeding `metrics`.
    public init(metrics: ServiceTrafficMetrics) {
        self.metrics = metrics
    }

    /// Takes the Service ports of a pass.
    public func observe(_ report: ReconcileReport) async {
        if case .pass(let pass) = report { metrics.servicePorts(pass.servicePorts) }
    }
}

/// Reads the kernel's IPVS table every `interval` on NIO's thread pool (never on Swift's cooperative pool) and
/// records it in the traffic metrics. A failed read is logged once and retried at the next interval.
public struct ServiceTrafficCollector: ServiceLifecycle.Service {
    let kernel: any IPVSKernel
    let metrics: ServiceTrafficMetrics
    let interval: Duration
    let threadPool: NIOThreadPool
    let logger: Logger

    /// A collector reading `kernel` (a connection of its own) every `interval`.
    public init(
        kernel: any IPVSKernel, metrics: ServiceTrafficMetrics, interval: Duration,
        threadPool: NIOThreadPool = .singleton, logger: Logger
    ) {
        self.kernel = kernel
        self.metrics = metrics
        self.interval = interval
        self.threadPool = threadPool
        self.logger = logger
    }

    /// Reads and records until the group shuts down.
    public func run() async throws {
        let (kernel, metrics, threadPool, interval, logger) = (kernel, metrics, threadPool, interval, logger)
        try? await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
                    let table = try await threadPool.runIfActive { try kernel.virtualServers() }
                    metrics.record(table)
                    failing = false
                } catch {
                    if !failing { logger.warning("cannot read IPVS statistics", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
