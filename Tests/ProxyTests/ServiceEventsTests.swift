import Foundation
import IPVS
import Kube
import Logging
import Prometheus
import ServiceLifecycle
import TestSupport
import Testing

@testable import Proxy

/// The whole path of a Service's problem to kubectl, against ``FaultyAPIServer``: a Service with a refused
/// annotation, read by the API-server source and programmed by the proxy, becomes an events.k8s.io/v1 Event on
/// that Service (POSTed on the source's connection); the same problem seen again (the annotation fixed, then
/// refused again) becomes a PATCH of that Event's series, not a second Event.
@Suite struct ServiceEventsTests {
    static let badFlags = "bogus-flag"

    /// The Service `web` at 10.96.7.1:`port`, its scheduler flags annotated `flags` (none: no annotation).
    static func service(port: Int, flags: String?) -> String {
        let annotations = flags.map { "\"annotations\":{\"\(ServiceAnnotations.schedulerFlags)\":\"\($0)\"}," } ?? ""
        return """
            {"metadata":{"name":"web","namespace":"shop","uid":"uid-web",\(annotations)\
            "creationTimestamp":"2026-11-22T02:19:10Z"},"spec":{"ports":[{"name":"http","protocol":"TCP",\
            "port":\(port),"targetPort":8080}],"clusterIP":"10.96.7.1","clusterIPs":["10.96.7.1"],\
            "type":"ClusterIP","sessionAffinity":"None","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack",\
            "internalTrafficPolicy":"Cluster"},"status":{"loadBalancer":{}}}
            """
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func aRefusedAnnotationBecomesAnEventAndItsRepeatAPatchOfItsSeries() async throws {
        // Watches end at once (5 simulated seconds idle) and resume, so changes arrive without waiting.
        let clock = SimulatedClock()
        let server = try await FaultyAPIServer(clock: clock)
        server.inject { $0.idleCloseAfter = .seconds(5) }
        try server.upsert(.services, Self.service(port: 80, flags: Self.badFlags))
        try server.upsert(
            .endpointSlices,
            FaultyAPIServer.slice("web-a", service: "web", namespace: "shop", addresses: ["10.244.7.2"]))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let registry = PrometheusCollectorRegistry()
        let recorder = EventRecorder(
            instance: "node-a", metricsFactory: PrometheusMetricsFactory(registry: registry), logger: logger)
        var options = APIServerSource.Options()
        options.events = recorder
        options.clock = clock
        options.metricsFactory = PrometheusMetricsFactory(registry: registry)
        let source = SourceService(
            APIServerSource(
                connection: ClusterConnection(server: server.baseURL, token: .literal("t0k3n")), options: options,
                logger: logger))
        let kernel = FakeKernel()
        let proxy = ProxyService(
            events: source.events, reconciler: Reconciler(kernel: kernel, link: FakeLink(), logger: logger),
            configuration: ProxyConfiguration(), observers: [ServiceEventObserver(sink: recorder)], logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: source), .init(service: proxy)], logger: logger))
        let writes = { server.server.requests.filter { $0.path.hasPrefix("/apis/events.k8s.io/") } }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await waitFor { !writes().isEmpty }
            // The refused annotation's Event, as POSTed.
            let created = try #require(writes().first)
            #expect(created.method == "POST")
            #expect(created.path == "/apis/events.k8s.io/v1/namespaces/shop/events")
            #expect(created.contentType == "application/json")
            #expect(created.authorization == "Bearer t0k3n")
            print("created Event (POST \(created.path)):\n\(created.body)")
            let body = Self.json(created.body)
            #expect(body["apiVersion"] as? String == "events.k8s.io/v1")
            #expect(body["kind"] as? String == "Event")
            #expect(body["type"] as? String == "Warning")
            #expect(body["reason"] as? String == "BadAnnotation")
            #expect(body["action"] as? String == "IgnoreAnnotation")
            #expect(body["reportingController"] as? String == "ipvs-proxy")
            #expect(body["reportingInstance"] as? String == "node-a")
            let note = try #require(body["note"] as? String)
            #expect(note.hasPrefix("metadata.annotations[\(ServiceAnnotations.schedulerFlags)]: "), "\(note)")
            #expect(note.contains("unknown scheduler flag \"\(Self.badFlags)\" ignored"), "\(note)")
            let regarding = try #require(body["regarding"] as? [String: String])
            #expect(regarding == ["apiVersion": "v1", "kind": "Service", "namespace": "shop", "name": "web"])
            let metadata = try #require(body["metadata"] as? [String: String])
            let name = try #require(metadata["name"])
            #expect(metadata["namespace"] == "shop" && name.hasPrefix("web."))
            let eventTime = try #require(body["eventTime"] as? String)
            #expect(eventTime.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/) != nil, "\(eventTime)")
            #expect(body["series"] == nil)

            // Fixed (and moved to port 81, which the kernel shows), then refused again: the same problem.
            try server.upsert(.services, Self.service(port: 81, flags: nil))
            await waitFor { kernel.table[F.key(.tcp, "10.96.7.1", 81)] != nil }
            #expect(kernel.table[F.key(.tcp, "10.96.7.1", 81)] != nil, "the fixed Service was programmed")
            try server.upsert(.services, Self.service(port: 80, flags: Self.badFlags))
            await waitFor { writes().count >= 2 }
            let all = writes()
            #expect(all.count == 2, "one Event and one patch: \(all.map(\.method))")
            let patched = try #require(all.dropFirst().first)
            print("repeat (PATCH \(patched.path)):\n\(patched.body)")
            #expect(patched.method == "PATCH")
            #expect(patched.path == "/apis/events.k8s.io/v1/namespaces/shop/events/\(name)")
            #expect(patched.contentType == "application/strategic-merge-patch+json")
            let series = try #require(Self.json(patched.body)["series"] as? [String: Any])
            #expect(series["count"] as? Int == 2)
            #expect((series["lastObservedTime"] as? String)?.hasSuffix("Z") == true)
            // The server logs a request before it answers it: the recorder counting the patch's answer is what
            // says the server has applied it.
            await waitFor { registry.emitToString().contains("ipvs_proxy_events_written_total{verb=\"patch\"} 1") }
            // The server holds one Event, with its series.
            let stored = server.eventObjects()
            #expect(Array(stored.keys) == ["shop/\(name)"])
            #expect((stored["shop/\(name)"]?["series"] as? [String: Any])?["count"] as? Int == 2)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await server.shutdown()
        let text = registry.emitToString()
        #expect(text.contains("ipvs_proxy_events_written_total{verb=\"create\"} 1"), "\(text)")
        #expect(text.contains("ipvs_proxy_events_written_total{verb=\"patch\"} 1"), "\(text)")
        #expect(text.contains("rest_client_requests_total{code=\"201\",method=\"POST\""), "\(text)")
        #expect(text.contains("rest_client_requests_total{code=\"200\",method=\"PATCH\""), "\(text)")
    }
}
