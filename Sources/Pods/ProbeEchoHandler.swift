import NIOCore

/// Sends a payload over TCP and completes once as many bytes have come back.
final class ProbeEchoHandler: ProbeClientHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let payload: String
    let promise: EventLoopPromise<String>
    private var received = ByteBuffer()

    init(payload: String, promise: EventLoopPromise<String>) {
        self.payload = payload
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: payload)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var part = unwrapInboundIn(data)
        received.writeBuffer(&part)
        if received.readableBytes >= payload.utf8.count {
            promise.succeed(String(buffer: received))
        }
    }
}
