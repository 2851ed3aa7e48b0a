import NIOCore
import NIOHTTP1

/// Sends GET requests one after another on one connection and collects the replies.
final class ProbeHTTPHandler: ProbeClientHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let host: String
    private let path: String
    private let requests: Int
    let promise: EventLoopPromise<[PodHTTPReply]>
    private var replies: [PodHTTPReply] = []
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()

    init(host: String, path: String, requests: Int, promise: EventLoopPromise<[PodHTTPReply]>) {
        self.host = host
        self.path = path
        self.requests = requests
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        sendRequest(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            head = responseHead
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            guard let responseHead = head else { return }
            replies.append(
                PodHTTPReply(
                    status: Int(responseHead.status.code), pod: responseHead.headers.first(name: "X-Pod"),
                    requestOnConnection: responseHead.headers.first(name: "X-Pod-Request").flatMap { Int($0) },
                    body: String(buffer: body)))
            head = nil
            if replies.count == requests {
                promise.succeed(replies)
            } else {
                sendRequest(context: context)
            }
        }
    }

    private func sendRequest(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "User-Agent", value: "ipvs-proxy-pod-probe")
        let requestHead = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
        context.write(wrapOutboundOut(.head(requestHead)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
