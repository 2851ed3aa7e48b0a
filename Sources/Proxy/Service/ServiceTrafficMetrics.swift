import Values
import IPVS
import Logging
import NIOPosix
import ServiceLifecycle

/// The per-Service traffic metrics (`ipvs_proxy_service_*`, labelled `namespace`, `service`, `port`; never an
/// address), read from the kernel's IPVS statistics at an interval (`--service-traffic-metrics-interval`) by
/// ``ServiceTrafficCollector``. The Service port of each virtual server comes from the reconcile loop's passes
/// (``ServiceTrafficObserver``), as the desired state keeps it: no per-pass work over the cluster. A Service port's
/// series appear when it first has a virtual server to report and go with it.
///
/// Kept here and written out in Prometheus' text format by ``exposition()``, not as swift-metrics series: the
/// Prometheus backend copies a family's whole table of label sets to add or remove one series, so making the
/// series of 4,000 Service ports took 6.8 s (debug build), four times the time for twice the ports, and each
/// Service created or deleted later cost time proportional to all of them.
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

    private struct State {
        var ports: [VirtualServerKey: ServiceMap.ServicePort] = [:]
        var traffic = ServiceTraffic()
        /// Each Service port's counters since its series appeared, and its gauges at the last dump.
        var totals: [ServiceMap.ServicePort: ServiceTraffic.Counts] = [:]
        /// The Service ports a round of partial reads has found so far (``record(part:of:)``).
        var found: Set<ServiceMap.ServicePort> = []
    }

    private let state = Locked(State())

    /// Metrics with no series yet.
    public init() {}

    /// Takes the Service port of each virtual server, as the last pass left the desired state.
    func servicePorts(_ ports: [VirtualServerKey: ServiceMap.ServicePort]) {
        state.withLock { $0.ports = ports }
    }

    /// Records one dump of the kernel's table.
    public func record(_ table: [VirtualServerState]) {
        state.withLock { state in
            let counts = state.traffic.update(table, ports: state.ports)
            state.totals = state.totals.filter { counts[$0.key] != nil }
            Self.add(counts, to: &state.totals)
        }
    }

    /// The virtual servers a Service port serves, in parts of about `size` (a part ends with a whole Service port:
    /// its gauges sum over all its virtual servers), in Service port order: one round of ``record(part:of:)``.
    public func parts(of size: Int) -> [[VirtualServerKey]] {
        let ports = state.withLock { $0.ports }
        var byPort: [ServiceMap.ServicePort: [VirtualServerKey]] = [:]
        for (key, port) in ports { byPort[port, default: []].append(key) }
        var parts: [[VirtualServerKey]] = []
        var part: [VirtualServerKey] = []
        for port in byPort.keys.sorted() {
            part += (byPort[port] ?? []).sorted()
            if part.count >= size {
                parts.append(part)
                part = []
            }
        }
        if !part.isEmpty { parts.append(part) }
        return parts
    }

    /// Records a read of one part of a round (``parts(of:)``): `read` holds those of `keys` the kernel has. A Service
    /// port of the part with no virtual server left loses its series at once; one no pass names any more, at the end
    /// of the round (``endRound()``).
    public func record(part read: [VirtualServerState], of keys: [VirtualServerKey]) {
        state.withLock { state in
            let counts = state.traffic.update(part: read, of: keys, ports: state.ports)
            for key in keys {
                guard let port = state.ports[key], counts[port] == nil else { continue }
                state.totals[port] = nil
            }
            state.found.formUnion(counts.keys)
            Self.add(counts, to: &state.totals)
        }
    }

    /// Ends a round of partial reads: the series of Service ports it did not find go.
    public func endRound() {
        state.withLock { state in
            let found = state.found
            state.totals = state.totals.filter { found.contains($0.key) }
            state.found = []
        }
    }

    /// Adds counters' growth to the totals and sets the gauges.
    private static func add(
        _ counts: [ServiceMap.ServicePort: ServiceTraffic.Counts],
        to totals: inout [ServiceMap.ServicePort: ServiceTraffic.Counts]
    ) {
        for (port, counts) in counts {
            var total = totals[port] ?? ServiceTraffic.Counts()
            total.connections &+= counts.connections
            total.inPackets &+= counts.inPackets
            total.outPackets &+= counts.outPackets
            total.inBytes &+= counts.inBytes
            total.outBytes &+= counts.outBytes
            total.activeConnections = counts.activeConnections
            total.inactiveConnections = counts.inactiveConnections
            totals[port] = total
        }
    }

    /// The five families in Prometheus' text format (0.0.4), each with its HELP and TYPE, series sorted by Service
    /// port; empty while no Service port has a series. Served after the registry's families.
    public func exposition() -> String {
        let totals = state.withLock { $0.totals }.sorted { $0.key < $1.key }
        guard !totals.isEmpty else { return "" }
        let labels = totals.map { port, _ in
            "namespace=\"\(Self.escaped(port.service.namespace))\",service=\"\(Self.escaped(port.service.name))\","
                + "port=\"\(Self.escaped(port.port))\""
        }
        var text = ""
        text.reserveCapacity(totals.count * 7 * 120)
        func family(_ name: String, _ type: String, _ series: (Int, ServiceTraffic.Counts) -> [(String, String)]) {
            text += "# HELP \(name) \(Self.help[name] ?? "")\n# TYPE \(name) \(type)\n"
            for (index, (_, counts)) in totals.enumerated() {
                for (extra, value) in series(index, counts) { text += "\(name){\(labels[index])\(extra)} \(value)\n" }
            }
        }
        family(Name.connections, "counter") { _, counts in [("", "\(counts.connections)")] }
        family(Name.packets, "counter") { _, counts in
            [(",direction=\"in\"", "\(counts.inPackets)"), (",direction=\"out\"", "\(counts.outPackets)")]
        }
        family(Name.bytes, "counter") { _, counts in
            [(",direction=\"in\"", "\(counts.inBytes)"), (",direction=\"out\"", "\(counts.outBytes)")]
        }
        family(Name.activeConnections, "gauge") { _, counts in [("", "\(Double(counts.activeConnections))")] }
        family(Name.inactiveConnections, "gauge") { _, counts in [("", "\(Double(counts.inactiveConnections))")] }
        return text
    }

    /// The exposition format's escapes for a label value: backslash, double quote and line feed.
    static func escaped(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 10 }) else {
            return value
        }
        var escaped = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
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

/// Reads the kernel's IPVS statistics every `interval` on NIO's thread pool (never on Swift's cooperative pool) and
/// records them in the traffic metrics, taking `share` of one CPU at most. A round reads the virtual servers of the
/// Service ports the passes named, a part of about ``partSize`` at a time (``ServiceTrafficMetrics/parts(of:)``,
/// one pipelined read each): a part that cost `c` of CPU is followed by the next no sooner than `c / share` after
/// it began, so a large table on a slow CPU is read in small steps, never in one burst, and a round then takes
/// longer than `interval`. A failed read is logged once, and the round starts again at the next interval.
public struct ServiceTrafficCollector: ServiceLifecycle.Service {
    let kernel: any IPVSKernel
    let metrics: ServiceTrafficMetrics
    let interval: Duration
    let share: CPUShare
    let threadPool: NIOThreadPool
    let logger: Logger
    /// How many virtual servers a part reads (more when a Service port has more).
    static let partSize = 32

    /// A collector reading `kernel` (a connection of its own) every `interval`, within `share` of one CPU.
    public init(
        kernel: any IPVSKernel, metrics: ServiceTrafficMetrics, interval: Duration, share: CPUShare = .whole,
        threadPool: NIOThreadPool = .singleton, logger: Logger
    ) {
        self.kernel = kernel
        self.metrics = metrics
        self.interval = interval
        self.share = share
        self.threadPool = threadPool
        self.logger = logger
    }

    /// When the part after one that began at `began` and cost `cpu` of its thread may start.
    func nextPart(began: ContinuousClock.Instant, cpu: Duration) -> ContinuousClock.Instant {
        began + share.cycle(after: cpu)
    }

    /// Reads and records until the group shuts down.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                let began = ContinuousClock.now
                failing = !(try await round(failingBefore: failing))
                try await Task.sleep(until: began + interval, clock: .continuous)
            }
        }
    }

    /// One round, part by part; false when a read failed (logged when the previous round did not fail too).
    /// Throws only `CancellationError`.
    func round(failingBefore: Bool = false) async throws -> Bool {
        let (kernel, metrics) = (kernel, metrics)
        for keys in metrics.parts(of: Self.partSize) {
            let began = ContinuousClock.now
            let cpu: Duration
            do {
                // The read and its folding into the metrics on one pool thread: the budget counts both.
                cpu = try await threadPool.runIfActive {
                    let start = ThreadCPUTime.now()
                    metrics.record(part: try kernel.virtualServers(keys).compactMap { $0 }, of: keys)
                    return ThreadCPUTime.now() - start
                }
            } catch {
                if Task.isCancelled { throw CancellationError() }
                if !failingBefore {
                    logger.warning("cannot read IPVS statistics", metadata: ["error": "\(error)"])
                }
                return false
            }
            try await Task.sleep(until: nextPart(began: began, cpu: cpu), clock: .continuous)
        }
        metrics.endRound()
        return true
    }
}
