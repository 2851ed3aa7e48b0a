import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Values

/// kube-proxy's service health server (`pkg/proxy/healthcheck/service_health.go`): for each Service of type
/// LoadBalancer with `externalTrafficPolicy: Local`, an HTTP server on its `healthCheckNodePort` that cloud load
/// balancers probe, answering 200 when this node has a ready endpoint of the Service and the proxy is healthy, 503
/// otherwise, with kube-proxy's headers and JSON body (``response(namespace:name:localEndpoints:proxyHealthy:)``).
///
/// As kube-proxy's one server per family: one listener per family the Service has, on that family's wildcard
/// address (`0.0.0.0`, `[::]` IPv6-only), answering with that family's count. ``update(_:)`` takes only what changed:
/// a new count is a value swapped under a lock, a listener is opened or closed only when a Service's port or
/// families change. A port that cannot be bound is logged on its Service (once per port) and retried by
/// ``retryFailed()``, never fatal. A ServiceLifecycle service: ``run()`` waits for shutdown and closes every
/// listener.
public actor ServiceHealthServer: ServiceLifecycle.Service {
    /// What one Service's port answers.
    public struct Entry: Sendable, Hashable {
        /// The Service's namespace and name.
        public var namespace: String
        public var name: String
        /// The port (0 lets the kernel pick one: tests).
        public var port: Int
        /// For each of the Service's families, this node's ready endpoints.
        public var localEndpoints: [AddressFamily: Int]

        /// An entry.
        public init(namespace: String, name: String, port: Int, localEndpoints: [AddressFamily: Int]) {
            self.namespace = namespace
            self.name = name
            self.port = port
            self.localEndpoints = localEndpoints
        }

        /// What needs a new listener when it changes.
        var listening: Listening { Listening(port: port, families: Set(localEndpoints.keys)) }
    }

    struct Listening: Hashable {
        var port: Int
        var families: Set<AddressFamily>
    }

    /// The entries the handlers read, on the event loops.
    private final class Shared: Sendable {
        let entries = Locked<[String: Entry]>([:])
    }

    /// The connections a listener accepted: closed with it, as Go's `Server.Close` closes them (a load balancer's
    /// kept-alive connection must not go on answering for a Service that is gone).
    private final class Connections: Sendable {
        private let open = Locked<[ObjectIdentifier: any Channel]>([:])

        func add(_ channel: any Channel) {
            let id = ObjectIdentifier(channel)
            open.withLock { $0[id] = channel }
            channel.closeFuture.whenComplete { [self] _ in _ = open.withLock { $0.removeValue(forKey: id) } }
        }

        func closeAll() async {
            for channel in open.withLock({ Array($0.values) }) { try? await channel.close() }
        }
    }

    private struct Listener {
        let server: any Channel
        let connections: Connections

        func close() async {
            try? await server.close()
            await connections.closeAll()
        }
    }

    private let shared = Shared()
    private var open: [String: (listening: Listening, channels: [AddressFamily: Listener])] = [:]
    private var failed: Set<String> = []
    private var reportedFailures: Set<String> = []
    private var stopped = false
    private let proxyHealthy: @Sendable () -> Bool
    private let logger: Logger

    /// A server; `proxyHealthy` is kube-proxy's `Health().Healthy` (the /livez rule), read on each request.
    public init(proxyHealthy: @escaping @Sendable () -> Bool, logger: Logger) {
        self.proxyHealthy = proxyHealthy
        self.logger = logger
    }

    /// Applies changes, by Service (`namespace/name`): an entry to serve, or nil to stop.
    public func update(_ changes: [String: Entry?]) async {
        for (key, entry) in changes.sorted(by: { $0.key < $1.key }) {
            shared.entries.withLock { $0[key] = entry }
            guard let entry else {
                failed.remove(key)
                await close(key)
                continue
            }
            if open[key]?.listening == entry.listening { continue }
            await close(key)
            await listen(key, entry)
        }
    }

    /// Tries again the ports that could not be bound (kube-proxy retries on every sync).
    public func retryFailed() async {
        for key in failed.sorted() {
            guard let entry = shared.entries.withLock({ $0[key] }) else { continue }
            await listen(key, entry)
        }
    }

    /// The ports bound for a Service, by family (empty when none is).
    public func boundPorts(of key: String) -> [AddressFamily: Int] {
        open[key]?.channels.compactMapValues { $0.server.localAddress?.port } ?? [:]
    }

    /// Waits for a graceful shutdown (or cancellation), then closes every listener.
    public func run() async throws {
        try? await gracefulShutdown()
        stopped = true
        for key in open.keys.sorted() { await close(key) }
    }

    private func listen(_ key: String, _ entry: Entry) async {
        guard !stopped else { return }
        var channels: [AddressFamily: Listener] = [:]
        for family in AddressFamily.allCases where entry.localEndpoints[family] != nil {
            do {
                channels[family] = try await bind(key, family: family, port: entry.port)
            } catch {
                for listener in channels.values { await listener.close() }
                failed.insert(key)
                let address = family == .ipv4 ? "0.0.0.0" : "[::]"
                if reportedFailures.insert("\(key) \(entry.port)").inserted {
                    logger.error(
                        """
                        cannot listen on the Service's health-check node port; load balancers see this node as down \
                        for it until it can (retried on every sync)
                        """,
                        metadata: [
                            "service": "\(key)", "field": "spec.healthCheckNodePort", "address": "\(address)",
                            "port": "\(entry.port)", "error": "\(error)",
                        ])
                }
                return
            }
        }
        failed.remove(key)
        open[key] = (entry.listening, channels)
        logger.debug("health-check node port open", metadata: ["service": "\(key)", "port": "\(entry.port)"])
    }

    private func close(_ key: String) async {
        guard let listener = open.removeValue(forKey: key) else { return }
        for channel in listener.channels.values { await channel.close() }
        logger.debug("health-check node port closed", metadata: ["service": "\(key)"])
    }

    private func bind(_ key: String, family: AddressFamily, port: Int) async throws -> Listener {
        let shared = self.shared
        let connections = Connections()
        let proxyHealthy = self.proxyHealthy
        let answer: HTTPEndpointServer.Handler = {
            let entry = shared.entries.withLock { $0[key] }
            return Self.response(
                namespace: entry?.namespace ?? "", name: entry?.name ?? "",
                localEndpoints: entry?.localEndpoints[family] ?? 0, proxyHealthy: proxyHealthy())
        }
        var bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        if family == .ipv6 { bootstrap = bootstrap.serverChannelOption(.socketOption(.ipv6_v6only), value: 1) }
        let server = try await bootstrap.childChannelInitializer { channel in
            connections.add(channel)
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                try channel.pipeline.syncOperations.addHandler(HTTPEndpointHandler(routes: [:], everything: answer))
            }
        }
        .bind(host: family == .ipv4 ? "0.0.0.0" : "::", port: port)
        .get()
        return Listener(server: server, connections: connections)
    }

    /// kube-proxy's answer (`hcHandler.ServeHTTP`): 200 when this node has a ready endpoint of the Service and the
    /// proxy is healthy, 503 otherwise; `X-Load-Balancing-Endpoint-Weight` is the count; the body is its JSON,
    /// byte for byte (tab-indented).
    public static func response(
        namespace: String, name: String, localEndpoints: Int, proxyHealthy: Bool
    ) -> HTTPEndpointResponse {
        let body = """
            {
            \t"service": {
            \t\t"namespace": "\(namespace)",
            \t\t"name": "\(name)"
            \t},
            \t"localEndpoints": \(localEndpoints),
            \t"serviceProxyHealthy": \(proxyHealthy)
            }
            """
        return HTTPEndpointResponse(
            status: localEndpoints != 0 && proxyHealthy ? 200 : 503, contentType: "application/json",
            body: Array(body.utf8), headers: ["X-Load-Balancing-Endpoint-Weight": "\(localEndpoints)"])
    }
}
