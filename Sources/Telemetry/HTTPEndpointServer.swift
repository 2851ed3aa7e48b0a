import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A small HTTP/1.1 server for the proxy's own endpoints (/metrics, /healthz, /livez): GET and HEAD on fixed
/// paths, each answered by a closure. It runs as a ServiceLifecycle service and closes its socket on graceful
/// shutdown. Handlers run on the event loop and must be quick (they read shared state, nothing more).
public struct HTTPEndpointServer: ServiceLifecycle.Service {
    /// Answers one path.
    public typealias Handler = @Sendable () -> HTTPEndpointResponse

    let host: String
    let port: Int
    let routes: [String: Handler]
    let onBound: @Sendable (Int) -> Void
    let logger: Logger

    /// A server for `routes` (path → handler) on `host:port`; `onBound` gets the port actually bound (useful with
    /// port 0).
    public init(
        host: String, port: Int, routes: [String: Handler], logger: Logger,
        onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.routes = routes
        self.logger = logger
        self.onBound = onBound
    }

    public func run() async throws {
        let routes = self.routes
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(HTTPEndpointHandler(routes: routes))
                    }
                }
                .bind(host: host, port: port)
                .get()
        } catch {
            let failure = TelemetryError(.bind, "cannot listen on \(host):\(port)", cause: error)
            logger.error("endpoints not served", metadata: ["error": "\(failure)", "paths": "\(routes.keys.sorted())"])
            throw failure
        }
        let bound = channel.localAddress?.port ?? port
        logger.info("serving", metadata: ["address": "\(host):\(bound)", "paths": "\(routes.keys.sorted())"])
        onBound(bound)
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                try? await channel.closeFuture.get()
            } onGracefulShutdown: {
                channel.close(promise: nil)
            }
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}
