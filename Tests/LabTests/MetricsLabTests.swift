import Foundation
import TestSupport
import Testing

/// The metrics an operator's kube-proxy dashboards read, scraped from a running proxy against the real kernel and
/// the project's loopback API server: every series the kubernetes-mixin Proxy dashboard queries, kube-proxy's
/// families with their help, and the per-Service IPVS traffic labelled by Service port.
@Suite(.serialized, Lab.only) struct MetricsLabTests {
    static let vip = "10.96.9.20"
    static let metrics = "127.0.0.1:19449"
    static let healthz = "127.0.0.1:19456"

    /// The series the kubernetes-mixin Proxy dashboard queries (kubernetes-monitoring/kubernetes-mixin,
    /// `dashboards/proxy.libsonnet`): the metric, and the labels its PromQL selects or groups by beyond the
    /// scrape's own (`cluster`, `job`, `instance`). `up` comes from Prometheus itself; `go_goroutines` (a Go
    /// runtime metric) and `rest_client_request_duration_seconds_bucket{verb,url}` (the Get/Post latency panels)
    /// have no counterpart here and stay blank (docs/metrics.md).
    static let dashboard: [(metric: String, labels: [String])] = [
        // Rules Sync Rate: sum(rate(..._count[5m]))
        ("kubeproxy_sync_proxy_rules_duration_seconds_count", []),
        // Rule Sync Latency 99th Quantile: histogram_quantile(0.99, rate(..._bucket[5m]))
        ("kubeproxy_sync_proxy_rules_duration_seconds_bucket", ["le"]),
        // Network Programming Rate
        ("kubeproxy_network_programming_duration_seconds_count", []),
        // Network Programming Latency 99th Quantile: by (instance, le); also the $instance variable's query
        ("kubeproxy_network_programming_duration_seconds_bucket", ["le"]),
        // Kube API Request Rate: code=~"2..", "3..", "4..", "5.."
        ("rest_client_requests_total", ["code"]),
        // Memory
        ("process_resident_memory_bytes", []),
        // CPU usage: rate(...[5m])
        ("process_cpu_seconds_total", []),
    ]

    /// The list answers: one Service; its slice, changed by a watch event whose trigger time is when it is sent
    /// (so the network-programming latency has one measurement).
    static func handler(_ request: TestAPIServer.Request) -> TestAPIServer.Response {
        let slice = { (resourceVersion: Int, endpoints: [String], trigger: String) in
            """
            {"metadata": {"name": "reach-1", "namespace": "lab", "uid": "u-2", "resourceVersion": "\(resourceVersion)",
                          "labels": {"kubernetes.io/service-name": "reach"},
                          "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": "\(trigger)"}},
             "addressType": "IPv4",
             "ports": [{"name": "http", "protocol": "TCP", "port": 80}],
             "endpoints": [\(endpoints.map { #"{"addresses": ["\#($0)"], "conditions": {"ready": true}}"# }
                .joined(separator: ", "))]}
            """
        }
        switch (request.path, request.isWatch) {
        case ("/api/v1/services", false):
            return .json(
                status: 200,
                body: """
                    {"kind": "ServiceList", "apiVersion": "v1", "metadata": {"resourceVersion": "10"}, "items": [
                      {"metadata": {"name": "reach", "namespace": "lab", "uid": "u-1", "resourceVersion": "9"},
                       "spec": {"type": "ClusterIP", "clusterIP": "\(vip)", "clusterIPs": ["\(vip)"],
                                "sessionAffinity": "None",
                                "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 80}]}}]}
                    """)
        case ("/apis/discovery.k8s.io/v1/endpointslices", false):
            return .json(
                status: 200,
                body: """
                    {"kind": "EndpointSliceList", "apiVersion": "discovery.k8s.io/v1",
                     "metadata": {"resourceVersion": "10"},
                     "items": [\(slice(8, ["10.244.0.10"], "2020-01-01T00:00:00Z"))]}
                    """)
        case ("/apis/discovery.k8s.io/v1/endpointslices", true):
            let now = ISO8601DateFormatter.string(
                from: Date(), timeZone: TimeZone(identifier: "UTC") ?? .current,
                formatOptions: [.withInternetDateTime, .withFractionalSeconds])
            let event = #"{"type": "MODIFIED", "object": \#(slice(11, ["10.244.0.10", "10.244.0.11"], now))}"#
            return .stream([event.replacingOccurrences(of: "\n", with: " ") + "\n"], .hold)
        case (_, true):
            return .stream([], .hold)
        default:
            return .json(status: 404, body: #"{"kind": "Status", "code": 404}"#)
        }
    }

    /// The label names of each sample of `metric` in Prometheus text.
    static func labelSets(_ metric: String, in text: String) -> [Set<String>] {
        text.split(separator: "\n").filter { $0.hasPrefix(metric + "{") || $0.hasPrefix(metric + " ") }.map { line in
            guard let open = line.firstIndex(of: "{"), let close = line.firstIndex(of: "}") else { return [] }
            return Set(
                line[line.index(after: open)..<close].split(separator: ",").compactMap {
                    $0.split(separator: "=").first.map(String.init)
                })
        }
    }

    @Test func theMixinsProxyDashboardFindsItsSeriesAndServiceTrafficIsLabelledByServicePort() async throws {
        try LabShell.prepareNetwork()
        defer { ProxyLab.cleanup() }
        let server = try await TestAPIServer(handler: Self.handler)
        let directory = try TemporaryDirectory()
        let kubeconfig = try ProxyLab.kubeconfig(for: server, in: directory)
        let proxy = try ProxyProcess(arguments: [
            "run", "--kubeconfig", kubeconfig, "--interface", ProxyLab.interface,
            "--hostname-override", "lab", "--metrics-bind-address", Self.metrics, "--healthz-bind-address",
            Self.healthz, "--service-traffic-metrics-interval", "1s", "--api-cache", directory.file("api-cache"),
        ])
        defer { _ = proxy.stop() }
        let synced = try await ProxyLab.eventually(120) { try ProxyLab.peer(Self.vip)?.count == 2 }
        #expect(synced, "the watch event's second endpoint is programmed: \(proxy.output)")
        _ = try DeployLabTests.fetch("http://\(Self.healthz)/healthz")
        _ = try DeployLabTests.fetch("http://\(Self.healthz)/livez")

        var text = ""
        let scraped = try await ProxyLab.eventually(60) {
            text = try DeployLabTests.fetch("http://\(Self.metrics)/metrics").body
            return (DeployLabTests.sample("kubeproxy_network_programming_duration_seconds_count", in: text) ?? 0) >= 1
                && text.contains("ipvs_proxy_service_connections_total{")
        }
        #expect(scraped, "\(text)\n\(proxy.output)")
        for (metric, labels) in Self.dashboard {
            let sets = Self.labelSets(metric, in: text)
            #expect(!sets.isEmpty, "the dashboard's \(metric) has no series: \(text)")
            #expect(sets.allSatisfy { Set(labels).isSubset(of: $0) }, "\(metric) lacks \(labels): \(sets)")
        }
        #expect(
            Self.labelSets("rest_client_requests_total", in: text).allSatisfy { $0 == ["code", "method", "host"] })
        #expect(text.contains("rest_client_requests_total{code=\"200\",method=\"GET\""), "\(text)")
        #expect(text.contains("# HELP kubeproxy_sync_proxy_rules_duration_seconds SyncProxyRules latency in seconds"))
        #expect(text.contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket{le=\"16.384\"}"), "\(text)")
        #expect((DeployLabTests.sample("kubeproxy_sync_proxy_rules_endpoint_changes_total", in: text) ?? 0) >= 2)
        #expect((DeployLabTests.sample("kubeproxy_sync_proxy_rules_service_changes_total", in: text) ?? 0) >= 1)
        #expect((DeployLabTests.sample("kubeproxy_sync_proxy_rules_last_timestamp_seconds", in: text) ?? 0) > 0)
        #expect((DeployLabTests.sample("kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds", in: text) ?? 0) > 0)
        #expect(text.contains("kubeproxy_proxy_healthz_total{code=\"200\"} 1"), "\(text)")
        #expect(text.contains("kubeproxy_proxy_livez_total{code=\"200\"} 1"), "\(text)")
        for family in [
            "process_open_fds", "process_max_fds", "process_start_time_seconds", "process_virtual_memory_bytes",
        ] {
            #expect((DeployLabTests.sample(family, in: text) ?? 0) > 0, "\(family): \(text)")
        }
        // The heap in use is a part of the process's memory: more than a megabyte, less than its virtual size.
        let heap = DeployLabTests.sample("ipvs_proxy_heap_in_use_bytes", in: text) ?? 0
        #expect(heap > 1_048_576 && heap < (DeployLabTests.sample("process_virtual_memory_bytes", in: text) ?? 0))
        #expect(text.contains("# HELP ipvs_proxy_heap_in_use_bytes Bytes of heap allocated"), "\(text)")
        // No transparent huge pages for the proxy, though the guest's kernel hands them to every process that does
        // not refuse them (Debian's `always`).
        let thp = try String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)
        #expect(thp.contains("[always]"), "the guest's kernel gives huge pages only when asked: \(thp)")
        let status = try String(contentsOfFile: "/proc/\(proxy.process.processIdentifier)/status", encoding: .utf8)
        #expect(status.contains("THP_enabled:\t0\n"), "\(status)")
        let traffic = #"{namespace="lab",service="reach",port="http"}"#
        #expect(text.contains("ipvs_proxy_service_active_connections\(traffic) 0.0"), "\(text)")
        #expect(!text.contains("10.244.0.1"), "never a pod address")
        await server.shutdown()
    }
}
