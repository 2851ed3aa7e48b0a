import Values
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A loopback HTTP/1.1 server speaking the kube-apiserver wire protocol, scripted per test: JSON responses
/// with a status code, and chunked watch bodies written chunk by chunk (flushed separately, a little apart,
/// so the client really receives events split across reads) that then end cleanly, are cut (the connection
/// closes without the terminating chunk), or stay open. Given a TLS configuration it serves HTTPS and
/// records, per request, the client certificate presented and, per handshake, the SNI name asked for.
public final class TestAPIServer: Sendable {
    public struct Request: Sendable, CustomStringConvertible {
        public let path: String
        public let query: [String: String]
        public let authorization: String?
        /// The `Host` header.
        public var host: String? = nil
        /// The DER of the client certificate presented on this request's connection, if any.
        public var clientCertificate: [UInt8]? = nil
        /// The method: `GET`, `POST`, `PATCH`.
        public var method: String = "GET"
        /// The `Content-Type` header.
        public var contentType: String? = nil
        /// The body, as text.
        public var body: String = ""
        public var isWatch: Bool { query["watch"] == "true" }
        /// A streaming list (watch-list): a watch with `sendInitialEvents=true`.
        public var isWatchList: Bool { isWatch && query["sendInitialEvents"] == "true" }
        public var description: String {
            "\(path)?\(query.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: "&"))"
        }
    }

    public enum Ending: Sendable {
        /// The terminating chunk: the server ended the watch (its timeoutSeconds).
        case finish
        /// The connection is closed mid-body.
        case drop
        /// Nothing more is sent; the connection stays open until the client goes away.
        case hold
    }

    public enum Response: Sendable {
        case json(status: Int, body: String)
        case stream([String], Ending)
        /// A JSON response with extra headers (`Retry-After`, say).
        case jsonWithHeaders(status: Int, body: String, headers: [(String, String)])
        /// No response at all: the connection stays open and silent until the client goes away.
        case stall
    }

    public typealias Handler = @Sendable (Request) -> Response

    let handler: Handler
    let channel: any Channel
    let scheme: String
    private let log = Locked<[Request]>([])
    private let serverNames = Locked<[String?]>([])

    /// The bound port (kept, since a closed channel no longer knows its address).
    public let port: Int

    public var baseURL: String { "\(scheme)://127.0.0.1:\(port)" }

    public var requests: [Request] { log.withLock { $0 } }

    /// The SNI name of each TLS handshake (nil when the client sent none).
    public var handshakeServerNames: [String?] { serverNames.withLock { $0 } }

    func record(_ request: Request) { log.withLock { $0.append(request) } }

    func recordHandshake(serverName: String?) { serverNames.withLock { $0.append(serverName) } }

    /// Whether the handler sees watch-list requests; without it the server answers them itself as a kube-apiserver
    /// without the WatchList feature does (422 Invalid), and does not record them in ``requests``.
    let servesWatchList: Bool
    private let refusedWatchListCount = Locked(0)

    /// How many watch-list requests were refused (see `servesWatchList`).
    public var refusedWatchLists: Int { refusedWatchListCount.withLock { $0 } }

    func refuseWatchList() { refusedWatchListCount.withLock { $0 += 1 } }

    public init(tls: TLSConfiguration? = nil, watchList: Bool = false, handler: @escaping Handler) async throws {
        self.handler = handler
        self.servesWatchList = watchList
        self.scheme = tls == nil ? "http" : "https"
        let box = Locked<TestAPIServer?>(nil)
        let context = try tls.map { configuration in
            var configuration = configuration
            configuration.sslContextCallback = { values, promise in
                box.withLock { $0 }?.recordHandshake(serverName: values.serverHostname)
                promise.succeed(.noChanges)
            }
            return try NIOSSLContext(configuration: configuration)
        }
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    guard let server = box.withLock({ $0 }) else { throw ChannelError.inappropriateOperationForState }
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(server: server))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        box.withLock { $0 = self }
    }

    public func shutdown() async {
        try? await channel.close()
    }

    /// What a kube-apiserver without the WatchList feature answers a watch with `sendInitialEvents`.
    public static let watchListForbidden = """
        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"ListOptions.meta.k8s.io \\"\\" \
        is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList \
        feature gate is enabled","reason":"Invalid","code":422}
        """

    /// Splits text into pieces of `size` bytes (UTF-8 safe for the ASCII fixtures).
    public static func split(_ text: String, every size: Int) -> [String] {
        let bytes = Array(text.utf8)
        return stride(from: 0, to: bytes.count, by: size).map {
            String(decoding: bytes[$0..<min($0 + size, bytes.count)], as: UTF8.self)
        }
    }
}

private final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: TestAPIServer
    var head: HTTPRequestHead?
    var body = ByteBuffer()

    init(server: TestAPIServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk): body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            self.head = nil
            let components = URLComponents(string: head.uri)
            var query: [String: String] = [:]
            for item in components?.queryItems ?? [] { query[item.name] = item.value ?? "" }
            let peer = try? context.pipeline.syncOperations.nioSSL_peerCertificate()
            let request = TestAPIServer.Request(
                path: components?.path ?? head.uri, query: query, authorization: head.headers["Authorization"].first,
                host: head.headers["Host"].first, clientCertificate: peer.flatMap { try? $0.toDERBytes() },
                method: head.method.rawValue, contentType: head.headers["Content-Type"].first,
                body: String(buffer: body))
            if request.isWatchList && !server.servesWatchList {
                server.refuseWatchList()
                respond(context, .json(status: 422, body: TestAPIServer.watchListForbidden))
                return
            }
            server.record(request)
            respond(context, server.handler(request))
        }
    }

    func respond(_ context: ChannelHandlerContext, _ response: TestAPIServer.Response) {
        switch response {
        case .stall:
            break
        case .json(let status, let body):
            respond(context, .jsonWithHeaders(status: status, body: body, headers: []))
        case .jsonWithHeaders(let status, let body, let extra):
            let headers = HTTPHeaders(
                [("Content-Type", "application/json"), ("Content-Length", String(body.utf8.count))] + extra)
            let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case .stream(let chunks, let ending):
            let headers = HTTPHeaders([("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")])
            let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
            context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
            write(context, chunks[...], ending)
        }
    }

    func write(_ context: ChannelHandlerContext, _ chunks: ArraySlice<String>, _ ending: TestAPIServer.Ending) {
        guard let chunk = chunks.first else {
            switch ending {
            case .finish: context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case .drop: context.close(promise: nil)
            case .hold: break
            }
            return
        }
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: chunk)))), promise: nil)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .milliseconds(1)) {
            let (handler, context) = bound.value
            handler.write(context, chunks.dropFirst(), ending)
        }
    }
}
