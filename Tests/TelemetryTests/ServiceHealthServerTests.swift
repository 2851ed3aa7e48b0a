import AsyncHTTPClient
import Kube
import Logging
import NIOCore
import Proxy
import NIOHTTP1
import ServiceLifecycle
import Telemetry
import TestSupport
import Testing
import Values

/// kube-proxy's health-check node port server over real HTTP (issue 13 item 13; `service_health.go`): status,
/// headers and body as kube-proxy's, listeners opened and closed as Services come and go, a port that cannot be
/// bound reported and retried, never fatal.
@Suite(.serialized) struct ServiceHealthServerTests {
    final class Flag: Sendable {
        let value = Locked(true)
    }

    func get(_ port: Int, path: String = "/") async throws -> (status: UInt, headers: HTTPHeaders, body: String) {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, response.headers, String(buffer: body))
    }

    func entry(_ count: Int, port: Int = 0) -> ServiceHealthServer.Entry {
        ServiceHealthServer.Entry(namespace: "shop", name: "web", port: port, localEndpoints: [.ipv4: count])
    }

    @Test func answersAsKubeProxyAndFollowsTheCounts() async throws {
        let healthy = Flag()
        let server = ServiceHealthServer(proxyHealthy: { healthy.value.withLock { $0 } }, logger: Logger(label: "t"))
        await server.update(["shop/web": entry(0)])
        let port = try #require(await server.boundPorts(of: "shop/web")[.ipv4])
        let down = try await get(port, path: "/anything")
        #expect(down.status == 503)
        #expect(down.headers.first(name: "Content-Type") == "application/json")
        #expect(down.headers.first(name: "X-Content-Type-Options") == "nosniff")
        #expect(down.headers.first(name: "X-Load-Balancing-Endpoint-Weight") == "0")
        #expect(
            down.body
                == "{\n\t\"service\": {\n\t\t\"namespace\": \"shop\",\n\t\t\"name\": \"web\"\n\t},\n"
                + "\t\"localEndpoints\": 0,\n\t\"serviceProxyHealthy\": true\n}")
        // A new count is served on the same listener.
        await server.update(["shop/web": entry(2)])
        #expect(await server.boundPorts(of: "shop/web")[.ipv4] == port)
        let up = try await get(port)
        #expect(up.status == 200)
        #expect(up.headers.first(name: "X-Load-Balancing-Endpoint-Weight") == "2")
        #expect(up.body.contains("\"localEndpoints\": 2,"))
        // The proxy unhealthy: 503 whatever the count.
        healthy.value.withLock { $0 = false }
        let stale = try await get(port)
        #expect(stale.status == 503)
        #expect(stale.body.contains("\"serviceProxyHealthy\": false"))
        // The Service gone: the listener closes.
        await server.update(["shop/web": nil])
        #expect(await server.boundPorts(of: "shop/web").isEmpty)
        await #expect(throws: (any Error).self) { _ = try await get(port) }
    }

    @Test func aPortInUseIsReportedOnItsServiceAndRetried() async throws {
        let logs = LogCapture()
        let server = ServiceHealthServer(proxyHealthy: { true }, logger: logs.logger())
        await server.update(["shop/other": entry(1)])
        let taken = try #require(await server.boundPorts(of: "shop/other")[.ipv4])
        await server.update(["shop/web": entry(1, port: taken)])
        #expect(await server.boundPorts(of: "shop/web").isEmpty)
        #expect(logs.records.contains { "\($0)".contains("health-check node port") && "\($0)".contains("shop/web") })
        await server.retryFailed()
        #expect(logs.records.filter { "\($0)".contains("shop/web") }.count == 1, "reported once per port")
        // The port freed, the retry binds it.
        await server.update(["shop/other": nil])
        await server.retryFailed()
        #expect(await server.boundPorts(of: "shop/web")[.ipv4] == taken)
        #expect(try await get(taken).status == 200)
        await server.update(["shop/web": nil])
    }

    /// The loop's report of a Service that needs no port any more closes it (through the observer).
    @Test func theObserverOpensAndClosesFromTheLoopsReports() async throws {
        let server = ServiceHealthServer(proxyHealthy: { true }, logger: Logger(label: "t"))
        let observer = HealthCheckNodePortObserver(server: server)
        let key = ObjectKey(namespace: "shop", name: "web")
        // Port 0: the kernel picks one (a real Service's is its healthCheckNodePort).
        await observer.observe(.healthCheckNodePorts([key: HealthCheckNodePort(port: 0, localEndpoints: [.ipv4: 1])]))
        let port = try #require(await server.boundPorts(of: "shop/web")[.ipv4])
        #expect(try await get(port).status == 200)
        await observer.observe(.healthCheckNodePorts([key: nil]))
        #expect(await server.boundPorts(of: "shop/web").isEmpty)
    }

    @Test func shutdownClosesEveryListener() async throws {
        let server = ServiceHealthServer(proxyHealthy: { true }, logger: Logger(label: "t"))
        await server.update(["shop/web": entry(1)])
        let port = try #require(await server.boundPorts(of: "shop/web")[.ipv4])
        let group = ServiceGroup(services: [server], logger: Logger(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(try await get(port).status == 200)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(await server.boundPorts(of: "shop/web").isEmpty)
        await server.update(["shop/again": entry(1)])
        #expect(await server.boundPorts(of: "shop/again").isEmpty, "nothing opens after shutdown")
    }
}
