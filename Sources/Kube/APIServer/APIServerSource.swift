import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import NIOSSL

/// An ``ObjectSource`` that lists and watches Services and EndpointSlices in all namespaces of a real API
/// server, and, given ``Options/nodeName``, that one Node (a field selector on `metadata.name`, as kube-proxy's
/// `NodeManager`), as client-go's reflector does (``ListWatchState`` has the decisions, ``ResourceWatcher`` the I/O).
///
/// For each resource: a streaming list (watch-list: `sendInitialEvents=true`, complete at the
/// `k8s.io/initial-events-end` bookmark) where the server offers it, else a LIST (`resourceVersion=0` first, in pages
/// of `limit`), then WATCH from the list's resourceVersion with `allowWatchBookmarks=true`. A watch that ends (its
/// `timeoutSeconds`, an idle load balancer, a lost connection) resumes at once from the last resourceVersion, unless it
/// ended within a second with no event; every failure (a refused or failed request, a watch ERROR, a malformed event,
/// 410 Gone) waits client-go's backoff (0.8 s doubling to 30 s, jitter 1, reset after 2 minutes without failures) or
/// the server's `Retry-After` if longer. 410 relists (from the watch cache; a list refused as expired reads
/// consistently at once) and emits only the difference from what was delivered. A malformed event ends the watch,
/// which resumes from the last good resourceVersion. ``SourceEvent/synced`` follows the first complete list of
/// Services and EndpointSlices; the Node does not hold it back (a proxy whose RBAC does not cover Nodes still programs
/// Services; its Node arrives when it can be read). Requests are counted (``APIClientMetrics``), and the connection's state is logged when it changes.
/// Response bodies are decoded and validated on `threadPool` (NIO's thread pool), never on Swift's cooperative pool;
/// with ``Options/cacheDirectory``, the first list takes the objects a previous run decoded (``APIObjectCache``).
public struct APIServerSource: ObjectSource {
    /// Tuning.
    public struct Options: Sendable {
        /// Items per LIST page.
        public var pageSize: Int = 500
        /// The watch `timeoutSeconds` is drawn from this range (spreads reconnections, as client-go does).
        public var watchTimeoutSeconds: ClosedRange<Int> = 300...600
        /// The retry policy.
        public var backoff = Backoff()
        /// A connection that delivers nothing (not even the API server's roughly once-a-minute bookmarks)
        /// for this long is considered dead and the watch resumes on a new one.
        public var idleTimeout: Duration = .seconds(150)
        /// The largest LIST page body accepted, in bytes.
        public var maximumListBytes = 256 << 20
        /// The longest watch line (one event) buffered, in bytes; a longer one stops the watch and relists.
        public var maximumWatchLineBytes = 16 << 20
        /// The client-side limit on requests (each LIST page, each watch start), `clientConnection.qps`/`burst`.
        public var rateLimit = RequestRateLimit.clientGoDefault
        /// This node's name: its Node is listed and watched too; nil reads no Node.
        public var nodeName: String? = nil
        /// Whether (re)lists are streamed (watch-list), as client-go 1.36 does by default; a server that does not
        /// offer them is listed instead.
        public var watchList = true
        /// Where every wait happens and durations are measured (simulated in tests).
        public var clock: any SourceClock = SystemSourceClock()
        /// The metrics backend (nil: swift-metrics' bootstrapped one).
        public var metricsFactory: (any MetricsFactory)? = nil
        /// Where Events recorded by the proxy are written from, on this source's connection (its HTTP client,
        /// token and rate limit); nil writes none.
        public var events: EventRecorder? = nil
        /// Where each resource's objects are kept across restarts (``APIObjectCache``, one file a resource, named as
        /// the resource), nil for none: read at start, taken from while the first list is decoded, and written when
        /// that list is complete.
        public var cacheDirectory: String? = nil
        /// What binds the caches to this program (``APIObjectCache/producer(program:executable:)``).
        public var cacheProducer = ""
        /// Creates default options.
        public init() {}
    }

    let connection: ClusterConnection
    /// The tuning in use.
    public var options: Options
    /// Where the TLS material is read and response bodies are decoded.
    public let threadPool: NIOThreadPool
    let logger: Logger

    /// Creates a source; nothing happens until ``run(delivering:)``.
    public init(
        connection: ClusterConnection, options: Options = Options(), threadPool: NIOThreadPool = .singleton,
        logger: Logger
    ) {
        self.connection = connection
        self.options = options
        self.threadPool = threadPool
        self.logger = logger
    }

    /// Lists and watches until the calling task is cancelled. If the TLS material or the server's address is
    /// unusable it throws at once (``SourceErrorCode/connection``). The TLS material is read on the thread pool.
    public func run(delivering deliver: @escaping @Sendable (SourceEvent) -> Void) async throws {
        let tls: TLSConfiguration?
        let routing: HTTPRouting
        let proxy: HTTPClient.Configuration.Proxy?
        do {
            let connection = self.connection
            (tls, routing, proxy) = try await threadPool.runIfActive {
                (try connection.tlsConfiguration(), try connection.routing(), try connection.httpProxy())
            }
        } catch is CancellationError {
            return
        } catch {
            throw SourceError(.connection, "cannot connect to the API server \(connection.server)", cause: error)
        }
        let transport: APITransport
        if let address = connection.ipServerName, var tls {
            do {
                transport = .ipServerName(
                    try IPServerNameTransport(
                        connection, serverIP: address, tls: &tls, idleTimeout: options.idleTimeout),
                    pathPrefix: IPServerNameTransport.pathPrefix(of: connection.server))
            } catch {
                throw SourceError(.connection, "cannot connect to the API server \(connection.server)", cause: error)
            }
        } else {
            transport = .client(makeClient(tls: tls, routing: routing, proxy: proxy), baseURL: routing.baseURL)
        }
        let gate = SyncGate(remaining: 2)
        let watcher = ResourceWatcher(
            transport: transport, threadPool: threadPool, connection: connection, routing: routing, options: options,
            limiter: RequestRateLimiter(options.rateLimit, clock: SourceClockAdapter(options.clock)), logger: logger,
            deliver: deliver, gate: gate,
            metrics: APIClientMetrics(
                host: Self.hostLabel(connection.server), factory: options.metricsFactory ?? MetricsSystem.factory))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await watcher.run(Service.self) }
            group.addTask { await watcher.run(EndpointSlice.self) }
            if let events = options.events {
                group.addTask { await events.run(watcher.requester, clock: options.clock) }
            }
            if let name = options.nodeName {
                group.addTask {
                    await watcher.run(ClusterNode.self, fieldSelector: "metadata.name=\(name)", gated: false)
                }
            }
        }
        await transport.shutdown()
    }

    /// client-go's `host` label: the server URL's host and port.
    static func hostLabel(_ server: String) -> String {
        guard let url = URLComponents(string: server), let host = url.host else { return server }
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return url.port.map { "\(bracketed):\($0)" } ?? bracketed
    }

    func makeClient(tls: TLSConfiguration?, routing: HTTPRouting, proxy: HTTPClient.Configuration.Proxy?) -> HTTPClient
    {
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.dnsOverride = routing.dnsOverride
        configuration.proxy = proxy
        // The watcher retries with its own capped, jittered backoff; the client's retrying of failed
        // connections would instead hold each request until the connect timeout and hide the cause
        // (an untrusted certificate, say) for that long.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        let idle = options.idleTimeout.components
        configuration.timeout.read = .nanoseconds(idle.seconds * 1_000_000_000 + idle.attoseconds / 1_000_000_000)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
