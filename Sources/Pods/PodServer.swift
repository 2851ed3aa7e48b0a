import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// One pod's servers in one process: HTTP/1.1 that names the pod, TCP echo and UDP echo.
///
/// ```swift
/// let server = try await PodServer.start(PodServerConfiguration(name: "pod-0"), logger: logger)
/// await server.run(until: await UnixSignalsSequence(trapping: .sigterm, .sigint))   // then close the listeners
/// ```
public final class PodServer: Sendable {
    /// The ports actually bound (useful when the configuration asked for port 0), `nil` where not served.
    public struct BoundPorts: Sendable, Hashable {
        /// The HTTP port.
        public var http: Int?
        /// The TCP echo port.
        public var tcpEcho: Int?
        /// The UDP echo port.
        public var udpEcho: Int?
    }

    /// What this server serves.
    public let configuration: PodServerConfiguration
    /// The ports it listens on.
    public let boundPorts: BoundPorts
    /// The response delays, which can be changed while the server runs.
    public let sampler: DelaySampler
    private let channels: [any Channel]
    let logger: Logger

    private init(
        configuration: PodServerConfiguration, boundPorts: BoundPorts, sampler: DelaySampler,
        channels: [any Channel], logger: Logger
    ) {
        self.configuration = configuration
        self.boundPorts = boundPorts
        self.sampler = sampler
        self.channels = channels
        self.logger = logger
    }

    /// Binds every configured listener and starts serving. If one fails to bind, the others are closed and the
    /// error is thrown.
    public static func start(
        _ configuration: PodServerConfiguration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws -> PodServer {
        let sampler = DelaySampler(configuration.delay, seed: configuration.seed)
        var channels: [any Channel] = []
        var ports = BoundPorts()
        do {
            if let port = configuration.httpPort {
                let channel = try await bindHTTP(configuration, sampler: sampler, port: port, group: group)
                channels.append(channel)
                ports.http = channel.localAddress?.port
            }
            if let port = configuration.tcpEchoPort {
                let channel = try await bindTCPEcho(host: configuration.host, port: port, group: group)
                channels.append(channel)
                ports.tcpEcho = channel.localAddress?.port
            }
            if let port = configuration.udpEchoPort {
                let channel = try await DatagramBootstrap(group: group)
                    .channelOption(.socketOption(.so_reuseaddr), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(PodDatagramEchoHandler())
                        }
                    }
                    .bind(host: configuration.host, port: port).get()
                channels.append(channel)
                ports.udpEcho = channel.localAddress?.port
            }
        } catch {
            for channel in channels { try? await channel.close() }
            throw error
        }
        logger.info(
            "pod server listening",
            metadata: [
                "pod": "\(configuration.name)", "host": "\(configuration.host)",
                "http": "\(ports.http.map(String.init) ?? "-")", "tcpEcho": "\(ports.tcpEcho.map(String.init) ?? "-")",
                "udpEcho": "\(ports.udpEcho.map(String.init) ?? "-")", "delay": "\(configuration.delay)",
            ])
        return PodServer(
            configuration: configuration, boundPorts: ports, sampler: sampler, channels: channels, logger: logger)
    }

    /// Closes the listeners (open connections are closed with the event loop group, or by their peers).
    public func shutdown() async {
        for channel in channels {
            try? await channel.close()
        }
        logger.info("pod server stopped", metadata: ["pod": "\(configuration.name)"])
    }

    private static func bindHTTP(
        _ configuration: PodServerConfiguration, sampler: DelaySampler, port: Int, group: any EventLoopGroup
    ) async throws -> any Channel {
        let name = configuration.name
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(PodHTTPHandler(podName: name, sampler: sampler))
                }
            }
            .bind(host: configuration.host, port: port).get()
    }

    private static func bindTCPEcho(host: String, port: Int, group: any EventLoopGroup) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PodEchoHandler())
                }
            }
            .bind(host: host, port: port).get()
    }
}
