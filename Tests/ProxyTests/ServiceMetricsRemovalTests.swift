import Health
import IPVS
import Kube
import Logging
import Metrics
import Prometheus
import TestSupport
import Testing

@testable import Proxy

/// Metrics labelled with a Service leave the scrape with the Service: a deleted Service's series are destroyed.
@Suite("Per-Service metrics are removed with their Service")
struct ServiceMetricsRemovalTests {
    static let web = ObjectKey(namespace: "default", name: "web")

    @Test func forgettingAServiceDestroysEachOfItsSeries() {
        let registry = PrometheusCollectorRegistry()
        let metrics = HealthMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let target = HealthResyncTests.target("10.244.0.10")
        metrics.setUsers([target: [Self.web]])
        metrics.probed(target, success: true, latency: .milliseconds(3))
        metrics.transition(Self.web, to: .down)
        metrics.summary(Self.web, HealthSummary(healthy: 1, unhealthy: 1))
        #expect(registry.emitToString().contains("service=\"default/web\""))
        metrics.setUsers([target: []])
        metrics.summary(Self.web, nil)
        #expect(!registry.emitToString().contains("default/web"), "\(registry.emitToString())")
        // A Service that comes back gets fresh series.
        metrics.summary(Self.web, HealthSummary(healthy: 2))
        #expect(registry.emitToString().contains("service=\"default/web\",state=\"healthy\"} 2"))
    }

    func loop(registry: PrometheusCollectorRegistry) throws -> ObservedLoop {
        let kernel = FakeKernel()
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test"))
        try reconciler.adopt()
        let loop = ReconcileLoop(
            reconciler: reconciler, tracker: DesiredStateTracker(configuration: HealthResyncTests.configuration),
            syncPeriod: .seconds(30))
        return ObservedLoop(loop: loop, observers: [HealthMetrics(factory: PrometheusMetricsFactory(registry: registry))])
    }

    @Test func deletingAServiceRemovesItsSeriesFromTheScrape() async throws {
        let registry = PrometheusCollectorRegistry()
        var loop = try loop(registry: registry)
        let web = KubeObject.service(try HealthResyncTests.web())
        let slice = KubeObject.endpointSlice(try HealthResyncTests.slice())
        try await loop.handle([.event(.change(.upsert(web))), .event(.change(.upsert(slice))), .event(.synced)], now: F.t0)
        let target = HealthResyncTests.target("10.244.0.10")
        try await loop.handle([.health(HealthTransition(target: target, status: .down))], now: F.t0)
        let before = registry.emitToString()
        #expect(before.contains("ipvs_proxy_health_real_servers{service=\"default/web\",state=\"unhealthy\"} 1"))
        #expect(before.contains("ipvs_proxy_health_transitions_total{service=\"default/web\",to=\"down\"} 1"))
        try await loop.handle([.event(.change(.delete(web))), .event(.change(.delete(slice)))], now: F.t0)
        #expect(!registry.emitToString().contains("default/web"), "\(registry.emitToString())")
    }

    @Test func aCheckedServiceWithoutEndpointsLeavesTooWhenNothingElseChanges() async throws {
        let registry = PrometheusCollectorRegistry()
        var loop = try loop(registry: registry)
        let web = KubeObject.service(try HealthResyncTests.web())
        try await loop.handle([.event(.change(.upsert(web))), .event(.synced)], now: F.t0)
        #expect(registry.emitToString().contains("ipvs_proxy_health_real_servers{service=\"default/web\",state=\"healthy\"} 0"))
        try await loop.handle([.event(.change(.delete(web)))], now: F.t0)
        #expect(!registry.emitToString().contains("default/web"), "\(registry.emitToString())")
    }
}
