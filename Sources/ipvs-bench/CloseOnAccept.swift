import NIOCore

/// The health benchmark's listeners: each accepted connection is closed as soon as it is active.
final class CloseOnAccept: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        context.close(promise: nil)
    }
}
