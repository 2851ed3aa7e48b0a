import NIOCore
import NIOHTTP1

/// Answers each request from the route table; 404 for other paths, 405 for methods other than GET and HEAD. With
/// `everything`, that one handler answers every path and method (as a Go handler registered alone does: kube-proxy's
/// health-check node ports).
final class HTTPEndpointHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let routes: [String: HTTPEndpointServer.Handler]
    let everything: HTTPEndpointServer.Handler?
    private var request: HTTPRequestHead?

    init(routes: [String: HTTPEndpointServer.Handler], everything: HTTPEndpointServer.Handler? = nil) {
        self.routes = routes
        self.everything = everything
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
        let response: HTTPEndpointResponse
        if let everything {
            response = everything()
        } else if head.method != .GET && head.method != .HEAD {
            response = .text("method not allowed\n", status: 405)
        } else if let handler = routes[path] {
            response = handler()
        } else {
            response = .text("not found\n", status: 404)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: "\(response.body.count)")
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) { headers.add(name: name, value: value) }
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
            promise: nil)
        if head.method != .HEAD {
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))),
                promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in loopBound.value.close(promise: nil) }
        }
    }
}
