import NIOCore
import NIOHTTP1

/// Answers every HTTP request with the pod's name, after the sampled delay, keeping the connection open when
/// the client asks for keep-alive. Placed after `configureHTTPServerPipeline`, which serialises pipelined
/// requests, so at most one response is pending per connection.
final class PodHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let podName: String
    private let sampler: DelaySampler
    private var head: HTTPRequestHead?
    private var requestsOnConnection = 0
    private var pendingResponse: Scheduled<Void>?

    init(podName: String, sampler: DelaySampler) {
        self.podName = podName
        self.sampler = sampler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
        case .body:
            break
        case .end:
            guard let requestHead = head else { return }
            head = nil
            requestsOnConnection += 1
            let delay = sampler.next()
            if delay <= .zero {
                respond(context: context, to: requestHead)
            } else {
                pendingResponse = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) {
                    self.pendingResponse = nil
                    self.respond(context: context, to: requestHead)
                }
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pendingResponse?.cancel()
        pendingResponse = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        pendingResponse?.cancel()
        pendingResponse = nil
    }

    private func respond(context: ChannelHandlerContext, to request: HTTPRequestHead) {
        let body = context.channel.allocator.buffer(string: podName + "\n")
        let keepAlive = request.isKeepAlive
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "X-Pod", value: podName)
        headers.add(name: "X-Pod-Request", value: String(requestsOnConnection))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let responseHead = HTTPResponseHead(version: request.version, status: .ok, headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
