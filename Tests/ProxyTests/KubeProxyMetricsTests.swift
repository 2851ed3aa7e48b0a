import Foundation
import IPVS
import Kube
import Logging
import Metrics
import Prometheus
import TestSupport
import Testing

@testable import Proxy

/// kube-proxy's families under its names, help, labels and buckets. The reference is kube-proxy's
/// `pkg/proxy/metrics/metrics.go` (kubernetes/kubernetes, the version with `proxy_healthz_total` and
/// `proxy_livez_total`); the table below is written from it by hand, so that a change on either side shows here.
@Suite struct KubeProxyMetricsTests {
    /// (name, type, help, labels), from kube-proxy's metrics.go.
    static let kubeProxy: [(String, String, String, [String])] = [
        ("kubeproxy_sync_proxy_rules_duration_seconds", "histogram", "SyncProxyRules latency in seconds", []),
        (
            "kubeproxy_sync_full_proxy_rules_duration_seconds", "histogram",
            "SyncProxyRules latency in seconds for full resyncs", []
        ),
        (
            "kubeproxy_sync_partial_proxy_rules_duration_seconds", "histogram",
            "SyncProxyRules latency in seconds for partial resyncs", []
        ),
        (
            "kubeproxy_sync_proxy_rules_last_timestamp_seconds", "gauge",
            "The last time proxy rules were successfully synced", []
        ),
        (
            "kubeproxy_network_programming_duration_seconds", "histogram",
            "In Cluster Network Programming Latency in seconds", []
        ),
        ("kubeproxy_sync_proxy_rules_endpoint_changes_pending", "gauge", "Pending proxy rules Endpoint changes", []),
        ("kubeproxy_sync_proxy_rules_endpoint_changes_total", "counter", "Cumulative proxy rules Endpoint changes", []),
        ("kubeproxy_sync_proxy_rules_service_changes_pending", "gauge", "Pending proxy rules Service changes", []),
        ("kubeproxy_sync_proxy_rules_service_changes_total", "counter", "Cumulative proxy rules Service changes", []),
        ("kubeproxy_proxy_healthz_total", "counter", "Cumulative proxy healthz HTTP status", ["code"]),
        ("kubeproxy_proxy_livez_total", "counter", "Cumulative proxy livez HTTP status", ["code"]),
        (
            "kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds", "gauge",
            "The last time a sync of proxy rules was queued", []
        ),
    ]

    @Test(arguments: kubeProxy)
    func everyFamilyHasKubeProxysNameTypeHelpAndLabels(_ expected: (String, String, String, [String])) {
        let (name, type, help, labels) = expected
        let family = KubeProxyMetrics.families.first { $0.name == name }
        #expect(family == KubeProxyMetrics.Family(name: name, type: type, help: help, labels: labels))
    }

    @Test func thereAreNoOtherFamilies() {
        #expect(Set(KubeProxyMetrics.families.map(\.name)) == Set(Self.kubeProxy.map(\.0)))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    @Test func syncBucketsAreExponentialFrom1msByTwoFifteenTimes() {
        // prometheus.ExponentialBuckets(0.001, 2, 15)
        let expected = (0..<15).map { 0.001 * pow(2, Double($0)) }
        let actual = KubeProxyMetrics.syncBuckets.map(Self.seconds)
        #expect(actual.count == 15)
        for (a, e) in zip(actual, expected) { #expect(abs(a - e) < 1e-12) }
    }

    @Test func networkProgrammingBucketsAreKubeProxysMergedLinearBuckets() {
        // MergeBuckets(LinearBuckets(0.25, 0.25, 2), LinearBuckets(1, 1, 59), LinearBuckets(60, 5, 12),
        // LinearBuckets(120, 30, 7)); MergeBuckets starts its result with one 0.
        var expected: [Double] = [0, 0.25, 0.5]
        expected += (0..<59).map { 1 + Double($0) }
        expected += (0..<12).map { 60 + 5 * Double($0) }
        expected += (0..<7).map { 120 + 30 * Double($0) }
        #expect(KubeProxyMetrics.networkProgrammingBuckets.map(Self.seconds) == expected)
        #expect(expected.count == 81 && expected.last == 300)
    }

    struct Setup {
        let registry = PrometheusCollectorRegistry()
        var metrics: KubeProxyMetrics

        init() {
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.durationHistogramBuckets = KubeProxyMetrics.buckets
            metrics = KubeProxyMetrics(factory: factory)
        }

        var text: String { registry.emitToString() }

        /// The value of one series, `name{labels}`, as printed.
        func value(_ series: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(series + " ") }
                .flatMap { Double($0.split(separator: " ").last ?? "") }
        }
    }

    static func pass(completed: Bool, full: Bool, triggers: [Double] = [], wall: Duration = .milliseconds(3))
        -> PassReport
    {
        var sync = SyncReport()
        if !completed { sync.failures[.deleteVirtualServer(F.web)] = IPVSError(code: .transport, message: "gone") }
        var pass = PassReport(
            sync: sync, full: full, touched: nil, desired: DesiredState(), objectChanges: 1, programmedSeen: [],
            wall: wall, cpu: .zero, draining: 0, ownedVirtualServers: 0, ownedRealServers: 0)
        pass.programmedTriggerTimes = triggers
        return pass
    }

    @Test func aPassIsTimedInAllAndByKindAndStampedWhenItRanToItsEnd() async {
        var setup = Setup()
        await setup.metrics.observe(.pass(Self.pass(completed: true, full: true, wall: .milliseconds(3))))
        #expect(setup.value("kubeproxy_sync_proxy_rules_duration_seconds_count") == 1)
        #expect(setup.value("kubeproxy_sync_proxy_rules_duration_seconds_bucket{le=\"0.002\"}") == 0)
        #expect(setup.value("kubeproxy_sync_proxy_rules_duration_seconds_bucket{le=\"0.004\"}") == 1)
        #expect(setup.value("kubeproxy_sync_full_proxy_rules_duration_seconds_count") == 1)
        #expect(setup.value("kubeproxy_sync_partial_proxy_rules_duration_seconds_count") == 0)
        let stamped = setup.value("kubeproxy_sync_proxy_rules_last_timestamp_seconds") ?? 0
        #expect(abs(stamped - Date().timeIntervalSince1970) < 600)
    }

    @Test func changesCountUpQueueASyncAndAreNoLongerPendingOnceAPassRanToItsEnd() async {
        var setup = Setup()
        var counts = ObjectChangeCounts()
        counts.services = 2
        counts.pendingServices = 2
        counts.endpointSlices = 3
        counts.pendingEndpointSlices = 3
        await setup.metrics.observe(.changes(counts))
        counts.endpointSlices = 4
        counts.pendingEndpointSlices = 4
        await setup.metrics.observe(.changes(counts))
        #expect(setup.value("kubeproxy_sync_proxy_rules_service_changes_total") == 2)
        #expect(setup.value("kubeproxy_sync_proxy_rules_endpoint_changes_total") == 4, "counted once each")
        #expect(setup.value("kubeproxy_sync_proxy_rules_endpoint_changes_pending") == 4)
        #expect((setup.value("kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds") ?? 0) > 0)

        await setup.metrics.observe(.pass(Self.pass(completed: false, full: false)))
        #expect(setup.value("kubeproxy_sync_proxy_rules_endpoint_changes_pending") == 4, "a refused pass")
        #expect(setup.value("kubeproxy_sync_proxy_rules_last_timestamp_seconds") == 0)
        await setup.metrics.observe(.pass(Self.pass(completed: true, full: false)))
        #expect(setup.value("kubeproxy_sync_proxy_rules_endpoint_changes_pending") == 0)
        #expect(setup.value("kubeproxy_sync_proxy_rules_service_changes_pending") == 0)
        #expect(setup.value("kubeproxy_sync_proxy_rules_endpoint_changes_total") == 4)
    }

    @Test func networkProgrammingIsMeasuredFromEachTriggerTime() async {
        var setup = Setup()
        let now = Date().timeIntervalSince1970
        await setup.metrics.observe(.pass(Self.pass(completed: true, full: false, triggers: [now - 3.5, now - 99.5])))
        #expect(setup.value("kubeproxy_network_programming_duration_seconds_count") == 2)
        #expect(setup.value("kubeproxy_network_programming_duration_seconds_bucket{le=\"3.0\"}") == 0)
        #expect(setup.value("kubeproxy_network_programming_duration_seconds_bucket{le=\"4.0\"}") == 1)
        #expect(setup.value("kubeproxy_network_programming_duration_seconds_bucket{le=\"100.0\"}") == 2)
    }

    @Test func healthzAndLivezAnswersAreCountedByCode() {
        let setup = Setup()
        setup.metrics.answered(livez: false, code: 200)
        setup.metrics.answered(livez: false, code: 503)
        setup.metrics.answered(livez: false, code: 503)
        setup.metrics.answered(livez: true, code: 200)
        #expect(setup.value("kubeproxy_proxy_healthz_total{code=\"200\"}") == 1)
        #expect(setup.value("kubeproxy_proxy_healthz_total{code=\"503\"}") == 2)
        #expect(setup.value("kubeproxy_proxy_livez_total{code=\"200\"}") == 1)
        #expect(setup.value("kubeproxy_proxy_livez_total{code=\"503\"}") == 0)
    }
}
