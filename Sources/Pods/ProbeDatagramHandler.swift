import NIOCore

/// Completes with the first datagram that arrives on a connected UDP channel, or with its error (a refusal
/// arrives as ECONNREFUSED when the peer's port is closed).
final class ProbeDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let promise: EventLoopPromise<String>

    init(promise: EventLoopPromise<String>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        promise.succeed(String(buffer: unwrapInboundIn(data).data))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
    }
}
