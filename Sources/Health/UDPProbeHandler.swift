import NIOCore

/// Judges what comes back on a connected UDP channel after the probe's datagram was sent: the reply, or an ICMP
/// error surfacing as a read error (connection refused). The datagram is sent once the channel is connected.
final class UDPProbeHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = ByteBuffer

    private let attempt: ProbeAttempt
    private let expect: [UInt8]?

    init(attempt: ProbeAttempt, expect: [UInt8]?) {
        self.attempt = attempt
        self.expect = expect
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let expect else { return }
        var buffer = unwrapInboundIn(data).data
        let reply = buffer.readBytes(length: buffer.readableBytes) ?? []
        attempt.finish(
            Self.contains(reply, expect) ? nil : ProbeFailure(.unexpectedReply, "unexpected reply")
        )
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        attempt.finish(ProbeFailure(.connection, "no UDP service", cause: error))
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
