import NIOCore
import NIOHTTP1

/// One pending request on a benchmark connection: whether to ask to close after it, and where the answering pod's
/// name goes.
struct BenchRequest {
    let close: Bool
    let promise: EventLoopPromise<String>
}

/// Sends one GET per written ``BenchRequest`` and completes its promise with the `X-Pod` header of the answer;
/// fails it on a bad answer, a closed connection or the timeout (and then closes the connection).
final class BenchHTTPHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = BenchRequest
    typealias OutboundOut = HTTPClientRequestPart

    private let host: String
    private let timeout: TimeAmount
    private var pending: EventLoopPromise<String>?
    private var timer: Scheduled<Void>?
    private var pod: String?
    private var status: HTTPResponseStatus = .ok

    init(host: String, timeout: TimeAmount) {
        self.host = host
        self.timeout = timeout
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        guard pending == nil else {
            request.promise.fail(RequestFailure.other)
            return
        }
        pending = request.promise
        pod = nil
        let channel = context.channel
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.finish(.failure(RequestFailure.timeout))
            channel.close(promise: nil)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "User-Agent", value: "ipvs-proxy-bench")
        headers.add(name: "Connection", value: request.close ? "close" : "keep-alive")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = head.status
            pod = head.headers.first(name: "X-Pod")
        case .body:
            break
        case .end:
            if status == .ok, let pod {
                finish(.success(pod))
            } else {
                finish(.failure(RequestFailure.badReply))
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(RequestFailure.closed))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(RequestFailure.classify(error)))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<String, any Error>) {
        timer?.cancel()
        timer = nil
        guard let promise = pending else { return }
        pending = nil
        promise.completeWith(result)
    }
}
