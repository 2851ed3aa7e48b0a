import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// A small client for the pods' services: one HTTP exchange (optionally several requests on one keep-alive
/// connection), one TCP echo, one UDP echo, each bounded by a timeout. The fixture uses it to wait until a pod
/// answers; tests use it to see whether a pod answers, refuses or stays silent. Not a load generator.
public struct PodProbe: Sendable {
    /// How long one probe may take, connection included.
    public var timeout: Duration
    private let group: any EventLoopGroup

    /// Makes a probe with this timeout, on this event loop group.
    public init(timeout: Duration = .seconds(2), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.timeout = timeout
        self.group = group
    }

    /// Sends `requests` GETs for `path`, one after another on one connection, and returns every reply.
    public func http(host: String, port: Int, requests: Int = 1, path: String = "/") async
        -> ProbeOutcome<[PodHTTPReply]>
    {
        await exchange(host: host, port: port) { loop, address, promise in
            ClientBootstrap(group: loop)
                .connectTimeout(TimeAmount(timeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(
                            ProbeHTTPHandler(host: host, path: path, requests: max(1, requests), promise: promise))
                    }
                }
                .connect(to: address)
        }
    }

    /// Sends `payload` over TCP and returns what comes back once as many bytes have arrived.
    public func tcpEcho(host: String, port: Int, payload: String = "ping") async -> ProbeOutcome<String> {
        await exchange(host: host, port: port) { loop, address, promise in
            ClientBootstrap(group: loop)
                .connectTimeout(TimeAmount(timeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ProbeEchoHandler(payload: payload, promise: promise))
                    }
                }
                .connect(to: address)
        }
    }

    /// Sends `payload` in one UDP datagram and returns the first datagram that comes back.
    public func udpEcho(host: String, port: Int, payload: String = "ping") async -> ProbeOutcome<String> {
        await exchange(host: host, port: port) { loop, address, promise in
            DatagramBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ProbeDatagramHandler(promise: promise))
                    }
                }
                .connect(to: address)
                .flatMap { channel in
                    channel.writeAndFlush(channel.allocator.buffer(string: payload)).map { channel }
                        .flatMapErrorThrowing { error in
                            channel.close(promise: nil)
                            throw error
                        }
                }
        }
    }

    /// Runs one exchange: `start` connects a channel whose handler completes the promise; the timeout fails it.
    private func exchange<Value: Sendable>(
        host: String, port: Int,
        start: (any EventLoop, SocketAddress, EventLoopPromise<Value>) -> EventLoopFuture<any Channel>
    ) async -> ProbeOutcome<Value> {
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: host, port: port)
        } catch {
            return .failed("not an IP address and port: \(host) \(port) (\(error))")
        }
        let loop = group.next()
        let promise = loop.makePromise(of: Value.self)
        let timer = loop.scheduleTask(in: TimeAmount(timeout)) { promise.fail(ProbeFailure.timedOut) }
        let connected = start(loop, address, promise)
        connected.whenFailure { promise.fail($0) }
        let result: ProbeOutcome<Value>
        do {
            result = .answered(try await promise.futureResult.get())
        } catch {
            result = Self.classify(error)
        }
        timer.cancel()
        connected.whenSuccess { $0.close(promise: nil) }
        return result
    }

    private static func classify<Value>(_ error: any Error) -> ProbeOutcome<Value> {
        switch error {
        case ProbeFailure.timedOut: return .timedOut
        case ChannelError.connectTimeout: return .timedOut
        case let error as IOError where error.errnoCode == ECONNREFUSED: return .refused
        case let error as NIOConnectionError:
            if error.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }) {
                return .refused
            }
            return .failed("\(error)")
        default: return .failed("\(error)")
        }
    }
}
