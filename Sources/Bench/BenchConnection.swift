import NIOCore
import NIOHTTP1
import NIOPosix

/// One client connection of the load generator: connected from a chosen source address, it carries requests
/// one at a time until its budget is spent or it fails.
final class BenchConnection: Sendable {
    let channel: any Channel
    /// Requests it may still carry (nil: no limit).
    let budget: Int?

    private init(channel: any Channel, budget: Int?) {
        self.channel = channel
        self.budget = budget
    }

    /// Connects to `target` from `source` (port chosen by the kernel).
    static func connect(
        to target: SocketAddress, from source: SocketAddress, host: String, timeout: Duration, budget: Int?,
        group: any EventLoopGroup
    ) async throws -> BenchConnection {
        let timeAmount = TimeAmount(timeout)
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(timeAmount)
            .bind(to: source)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(BenchHTTPHandler(host: host, timeout: timeAmount))
                }
            }
            .connect(to: target).get()
        return BenchConnection(channel: channel, budget: budget)
    }

    /// Sends one request (the `number`th on this connection, from 1) and returns the name of the pod that answered.
    func request(number: Int) async throws -> String {
        let promise = channel.eventLoop.makePromise(of: String.self)
        let last = budget.map { number >= $0 } ?? false
        channel.writeAndFlush(BenchRequest(close: last, promise: promise)).whenFailure { error in
            promise.fail(error)
        }
        return try await promise.futureResult.get()
    }

    /// Closes the connection (ignoring errors: it may be closed already).
    func close() {
        channel.close(promise: nil)
    }
}
