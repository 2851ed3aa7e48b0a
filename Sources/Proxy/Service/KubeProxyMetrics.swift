import Foundation
import Metrics

/// kube-proxy's own metric families (`pkg/proxy/metrics/metrics.go`), under its names, help, labels and buckets, so
/// that dashboards and alerts written for kube-proxy (the kubernetes-mixin Proxy dashboard, KubeProxyDown) keep
/// working. Made once through swift-metrics; the only label is the HTTP code of /healthz and /livez.
public struct KubeProxyMetrics: Sendable {
    /// The names, as kube-proxy registers them (subsystem `kubeproxy`).
    public enum Name {
        public static let syncDuration = "kubeproxy_sync_proxy_rules_duration_seconds"
        public static let syncFullDuration = "kubeproxy_sync_full_proxy_rules_duration_seconds"
        public static let syncPartialDuration = "kubeproxy_sync_partial_proxy_rules_duration_seconds"
        public static let lastTimestamp = "kubeproxy_sync_proxy_rules_last_timestamp_seconds"
        public static let lastQueuedTimestamp = "kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds"
        public static let networkProgramming = "kubeproxy_network_programming_duration_seconds"
        public static let endpointChangesPending = "kubeproxy_sync_proxy_rules_endpoint_changes_pending"
        public static let endpointChangesTotal = "kubeproxy_sync_proxy_rules_endpoint_changes_total"
        public static let serviceChangesPending = "kubeproxy_sync_proxy_rules_service_changes_pending"
        public static let serviceChangesTotal = "kubeproxy_sync_proxy_rules_service_changes_total"
        public static let healthzTotal = "kubeproxy_proxy_healthz_total"
        public static let livezTotal = "kubeproxy_proxy_livez_total"
    }

    /// One family: its name, Prometheus type, help text (kube-proxy's, word for word) and label names.
    public struct Family: Sendable, Hashable {
        public var name: String
        public var type: String
        public var help: String
        public var labels: [String]
    }

    /// Every family, in kube-proxy's order.
    public static let families: [Family] = [
        Family(name: Name.syncDuration, type: "histogram", help: "SyncProxyRules latency in seconds", labels: []),
        Family(
            name: Name.syncFullDuration, type: "histogram", help: "SyncProxyRules latency in seconds for full resyncs",
            labels: []),
        Family(
            name: Name.syncPartialDuration, type: "histogram",
            help: "SyncProxyRules latency in seconds for partial resyncs", labels: []),
        Family(
            name: Name.lastTimestamp, type: "gauge", help: "The last time proxy rules were successfully synced",
            labels: []),
        Family(
            name: Name.networkProgramming, type: "histogram", help: "In Cluster Network Programming Latency in seconds",
            labels: []),
        Family(
            name: Name.endpointChangesPending, type: "gauge", help: "Pending proxy rules Endpoint changes", labels: []),
        Family(
            name: Name.endpointChangesTotal, type: "counter", help: "Cumulative proxy rules Endpoint changes",
            labels: []),
        Family(
            name: Name.serviceChangesPending, type: "gauge", help: "Pending proxy rules Service changes", labels: []),
        Family(
            name: Name.serviceChangesTotal, type: "counter", help: "Cumulative proxy rules Service changes",
            labels: []),
        Family(
            name: Name.healthzTotal, type: "counter", help: "Cumulative proxy healthz HTTP status", labels: ["code"]),
        Family(name: Name.livezTotal, type: "counter", help: "Cumulative proxy livez HTTP status", labels: ["code"]),
        Family(
            name: Name.lastQueuedTimestamp, type: "gauge", help: "The last time a sync of proxy rules was queued",
            labels: []),
    ]

    /// The help text of each family, by name.
    public static var help: [String: String] {
        Dictionary(uniqueKeysWithValues: families.map { ($0.name, $0.help) })
    }

    /// The sync durations' buckets: `ExponentialBuckets(0.001, 2, 15)`, 1 ms to 16.384 s.
    public static let syncBuckets: [Duration] = (0..<15).map { .milliseconds(1 << $0) }

    /// The network-programming buckets: `MergeBuckets` (which starts with 0) of 0.25 s and 0.5 s, 1 s to 59 s by
    /// 1 s, 60 s to 115 s by 5 s, 120 s to 300 s by 30 s.
    public static let networkProgrammingBuckets: [Duration] =
        [.zero, .milliseconds(250), .milliseconds(500)] + (1...59).map { .seconds($0) }
        + (0..<12).map { .seconds(60 + 5 * $0) } + (0..<7).map { .seconds(120 + 30 * $0) }

    /// The buckets of each histogram family, by name (for the Prometheus factory).
    public static let buckets: [String: [Duration]] = [
        Name.syncDuration: syncBuckets, Name.syncFullDuration: syncBuckets, Name.syncPartialDuration: syncBuckets,
        Name.networkProgramming: networkProgrammingBuckets,
    ]

    /// The codes /healthz and /livez answer with.
    public static let healthCodes = [200, 503]

    let syncDuration: CoreMetrics.Timer
    let syncFullDuration: CoreMetrics.Timer
    let syncPartialDuration: CoreMetrics.Timer
    let lastTimestamp: Gauge
    let lastQueuedTimestamp: Gauge
    let networkProgramming: CoreMetrics.Timer
    let endpointChangesPending: Gauge
    let endpointChangesTotal: Counter
    let serviceChangesPending: Gauge
    let serviceChangesTotal: Counter
    let healthz: [Int: Counter]
    let livez: [Int: Counter]
    /// The counts already added to the totals.
    private var counted = ObjectChangeCounts()

    /// The metrics, made through `factory` (the bootstrapped backend unless a test gives its own).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        syncDuration = Timer(label: Name.syncDuration, factory: factory)
        syncFullDuration = Timer(label: Name.syncFullDuration, factory: factory)
        syncPartialDuration = Timer(label: Name.syncPartialDuration, factory: factory)
        lastTimestamp = Gauge(label: Name.lastTimestamp, factory: factory)
        lastQueuedTimestamp = Gauge(label: Name.lastQueuedTimestamp, factory: factory)
        networkProgramming = Timer(label: Name.networkProgramming, factory: factory)
        endpointChangesPending = Gauge(label: Name.endpointChangesPending, factory: factory)
        endpointChangesTotal = Counter(label: Name.endpointChangesTotal, factory: factory)
        serviceChangesPending = Gauge(label: Name.serviceChangesPending, factory: factory)
        serviceChangesTotal = Counter(label: Name.serviceChangesTotal, factory: factory)
        let byCode = { (name: String) in
            Dictionary(
                uniqueKeysWithValues: Self.healthCodes.map {
                    ($0, Counter(label: name, dimensions: [("code", String($0))], factory: factory))
                })
        }
        healthz = byCode(Name.healthzTotal)
        livez = byCode(Name.livezTotal)
    }

    /// Counts one answer of /healthz (`livez` false) or /livez by its HTTP code.
    public func answered(livez isLivez: Bool, code: Int) {
        (isLivez ? livez : healthz)[code]?.increment()
    }

    /// Records new change counts: the totals grow by what is new, the pending gauges take the counts, and the
    /// queued timestamp is now (kube-proxy queues a sync on every change).
    mutating func changed(_ counts: ObjectChangeCounts, at now: Double) {
        endpointChangesTotal.increment(by: Int64(max(0, counts.endpointSlices - counted.endpointSlices)))
        serviceChangesTotal.increment(by: Int64(max(0, counts.services - counted.services)))
        counted = counts
        endpointChangesPending.record(counts.pendingEndpointSlices)
        serviceChangesPending.record(counts.pendingServices)
        lastQueuedTimestamp.record(now)
    }

    /// Records one pass: its duration (all passes, and full or partial), and when it ran to its end, the time, the
    /// pending counts back to 0, and each programmed EndpointSlice change's latency from its trigger time.
    func passed(_ pass: PassReport, at now: Double) {
        let nanoseconds = ProxyMetrics.nanoseconds(pass.wall)
        syncDuration.recordNanoseconds(nanoseconds)
        (pass.full ? syncFullDuration : syncPartialDuration).recordNanoseconds(nanoseconds)
        guard pass.sync.completed else { return }
        lastTimestamp.record(now)
        endpointChangesPending.record(0)
        serviceChangesPending.record(0)
        for trigger in pass.programmedTriggerTimes {
            networkProgramming.recordNanoseconds(Int64(max(0, now - trigger) * 1_000_000_000))
        }
    }
}

extension KubeProxyMetrics: ReconcileObserver {
    /// Records passes and changes.
    public mutating func observe(_ report: ReconcileReport) async {
        switch report {
        case .pass(let pass): passed(pass, at: Date().timeIntervalSince1970)
        case .changes(let counts): changed(counts, at: Date().timeIntervalSince1970)
        default: break
        }
    }
}
