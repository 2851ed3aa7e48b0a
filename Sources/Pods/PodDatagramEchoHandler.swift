import NIOCore

/// UDP echo: sends every datagram back to where it came from.
final class PodDatagramEchoHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let datagram = unwrapInboundIn(data)
        let reply = AddressedEnvelope(remoteAddress: datagram.remoteAddress, data: datagram.data)
        context.write(wrapOutboundOut(reply), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram socket's errors (an ICMP error for an earlier reply) do not stop it serving.
    }
}
