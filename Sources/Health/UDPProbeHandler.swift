import NIOCore

/// Sends one datagram on a connected UDP channel and judges the reply, or an ICMP error surfacing as a read
/// error (connection refused).
final class UDPProbeHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = ByteBuffer

    private let attempt: ProbeAttempt
    private let payload: [UInt8]
    private let expect: [UInt8]?

    init(attempt: ProbeAttempt, payload: [UInt8], expect: [UInt8]?) {
        self.attempt = attempt
        self.payload = payload
        self.expect = expect
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: payload)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let expect else { return }
        var buffer = unwrapInboundIn(data).data
        let reply = buffer.readBytes(length: buffer.readableBytes) ?? []
        attempt.finish(
            Self.contains(reply, expect) ? nil : ProbeFailure(code: .unexpectedReply, message: "unexpected reply")
        )
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        attempt.finish(ProbeFailure(code: .connection, message: "no UDP service", cause: error))
    }

    /// True when `needle` occurs in `haystack` (an empty needle always does).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }
}
