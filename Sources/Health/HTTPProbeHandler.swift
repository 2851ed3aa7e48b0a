import NIOCore

/// Sends one HTTP/1.1 GET and judges the status line of the answer.
final class HTTPProbeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let attempt: ProbeAttempt
    private let request: String
    private let statuses: ClosedRange<Int>
    private var received: [UInt8] = []

    init(attempt: ProbeAttempt, path: String, host: String, statuses: ClosedRange<Int>) {
        self.attempt = attempt
        self.statuses = statuses
        request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: ipvs-proxy-health\r\nAccept: */*\r\n"
            + "Connection: close\r\n\r\n"
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received += buffer.readBytes(length: buffer.readableBytes) ?? []
        guard let end = received.firstIndex(of: UInt8(ascii: "\n")) else {
            if received.count > 4096 { attempt.finish(ProbeFailure(.badResponse, "no status line")) }
            return
        }
        attempt.finish(Self.judge(statusLine: received[..<end], statuses: statuses))
    }

    func channelInactive(context: ChannelHandlerContext) {
        attempt.finish(ProbeFailure(.connection, "connection closed before a status line"))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        attempt.finish(ProbeFailure(.connection, "connection failed", cause: error))
    }

    /// nil when the status line ("HTTP/1.1 200 OK") carries a status in `statuses`.
    static func judge(statusLine: some Collection<UInt8>, statuses: ClosedRange<Int>) -> ProbeFailure? {
        let words = String(decoding: statusLine, as: UTF8.self).split(separator: " ")
        guard words.count >= 2, words[0].hasPrefix("HTTP/"), let status = Int(words[1]) else {
            return ProbeFailure(.badResponse, "not an HTTP status line")
        }
        return statuses.contains(status) ? nil : ProbeFailure(.badResponse, "status \(status)")
    }
}
