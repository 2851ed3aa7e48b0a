import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import Prometheus
import Proxy
import ServiceLifecycle
import Telemetry
import Testing

/// The endpoints server over real HTTP on 127.0.0.1, with a port the kernel picks.
@Suite struct HTTPEndpointServerTests {
    /// Runs `server` in a ServiceGroup, gives `body` its port, then shuts it down gracefully.
    func serving(_ routes: [String: HTTPEndpointServer.Handler], _ body: (Int) async throws -> Void) async throws {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = HTTPEndpointServer(
            host: "127.0.0.1", port: 0, routes: routes, logger: Logger(label: "test"),
            onBound: { continuation.yield($0) })
        let group = ServiceGroup(services: [server], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            do {
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    func get(_ url: String) async throws -> (status: UInt, type: String?, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, response.headers.first(name: "content-type"), String(buffer: body))
    }

    @Test func scrapesMetricsOfAPrometheusRegistry() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = ProxyMetrics(factory: PrometheusMetricsFactory(registry: registry))
        _ = metrics
        registry.makeGauge(name: "ipvs_proxy_test_gauge").set(Double(42))
        let routes: [String: HTTPEndpointServer.Handler] = [
            "/metrics": {
                HTTPEndpointResponse(
                    status: 200, contentType: "text/plain; version=0.0.4", body: registry.emitToBuffer())
            }
        ]
        try await serving(routes) { port in
            let reply = try await get("http://127.0.0.1:\(port)/metrics")
            #expect(reply.status == 200)
            #expect(reply.type == "text/plain; version=0.0.4")
            #expect(reply.body.contains("ipvs_proxy_test_gauge 42"))
            #expect(reply.body.contains("# TYPE ipvs_proxy_virtual_servers gauge"))
            #expect(reply.body.contains("# TYPE ipvs_proxy_sync_duration_seconds histogram"))
            let missing = try await get("http://127.0.0.1:\(port)/nothing")
            #expect(missing.status == 404)
        }
    }

    @Test func healthzTurns503WhenAChangeWaitsTooLong() async throws {
        let health = ProxyHealthRecorder(timeout: .seconds(60))
        let clock = LockedDate(Date(timeIntervalSince1970: 1_700_000_000))
        let answer = { (endpoint: ProxyHealthStatus.Endpoint) -> HTTPEndpointServer.Handler in
            {
                let status = health.status(at: clock.value, for: endpoint)
                return HTTPEndpointResponse(
                    status: status.httpStatus, contentType: "application/json", body: Array(status.json.utf8))
            }
        }
        try await serving(["/healthz": answer(.healthz), "/livez": answer(.livez)]) { port in
            health.started(at: clock.value)
            health.initialized()
            let fresh = try await get("http://127.0.0.1:\(port)/healthz")
            #expect(fresh.status == 200)
            #expect(fresh.type == "application/json")
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(fresh.body.utf8)) as? [String: Any])
            #expect(json["lastUpdated"] as? String == "2023-11-14T22:13:20.000Z")
            #expect(json["currentTime"] as? String == "2023-11-14T22:13:20.000Z")
            #expect(json["healthy"] as? Bool == true)
            #expect(json["nodeEligible"] == nil, "Nodes are not read")
            health.queued(at: clock.value)
            clock.value += 61
            let stale = try await get("http://127.0.0.1:\(port)/livez")
            #expect(stale.status == 503)
            #expect(stale.body.contains("\"currentTime\": \"2023-11-14T22:14:21.000Z\""))
            #expect(stale.body.contains("\"lastUpdated\": \"2023-11-14T22:13:20.000Z\""))
            health.updated(at: clock.value)
            health.setNodeEligible(false)
            #expect(try await get("http://127.0.0.1:\(port)/livez").status == 200)
            let deleting = try await get("http://127.0.0.1:\(port)/healthz")
            #expect(deleting.status == 503)
            #expect(deleting.body.contains("\"nodeEligible\": false"))
        }
    }
}
