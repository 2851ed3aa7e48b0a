import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Values

/// GETs to an API server whose kubeconfig gives `tls-server-name` as an IP address, with the TLS handshake under
/// the proxy's control, as Go's crypto/tls does it: the TCP connection goes to the kubeconfig's server, no SNI is
/// sent (an IP is not a server name), the chain is verified against the configured CA by BoringSSL, and the leaf
/// certificate must carry that IP among its IP subject alternative names, checked during the handshake, before any
/// request is written. AsyncHTTPClient cannot do this (it verifies the URL's host or the connected address, and
/// takes no verification hook), so this one case has its own small HTTP/1.1 client: one connection per request,
/// which suits LIST pages and long watches.
struct IPServerNameTransport: Sendable {
    let host: String
    let port: Int
    /// The `Host` header: the server URL's authority.
    let authority: String
    let serverIP: IPAddress
    let context: NIOSSLContext
    let group: any EventLoopGroup
    let connectTimeout: TimeAmount
    let idleTimeout: TimeAmount

    /// A transport to `connection`'s server verifying `serverIP`: the chain against `tls`'s trust roots, host name
    /// checks off (the IP check replaces them). A proxy-url cannot be combined with it.
    init(
        _ connection: ClusterConnection, serverIP: IPAddress, tls: inout TLSConfiguration, idleTimeout: Duration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        guard connection.proxyURL == nil else {
            throw KubeConfigError(
                code: .unsupported,
                message: "tls-server-name \(serverIP) (an IP address) cannot be combined with proxy-url")
        }
        guard let components = URLComponents(string: connection.server), let rawHost = components.host,
            !rawHost.isEmpty
        else { throw KubeConfigError(code: .malformed, message: "server \"\(connection.server)\" is not a URL") }
        host = rawHost.hasPrefix("[") ? String(rawHost.dropFirst().dropLast()) : rawHost
        port = components.port ?? 443
        authority = (host.contains(":") ? "[\(host)]" : host) + (components.port.map { ":\($0)" } ?? "")
        self.serverIP = serverIP
        tls.certificateVerification = .noHostnameVerification
        context = try NIOSSLContext(configuration: tls)
        self.group = group
        connectTimeout = .seconds(10)
        let idle = idleTimeout.components
        self.idleTimeout = .nanoseconds(idle.seconds * 1_000_000_000 + idle.attoseconds / 1_000_000_000)
    }

    /// The server URL's path (a prefix to every request path), without a trailing slash.
    static func pathPrefix(of server: String) -> String {
        var path = URLComponents(string: server)?.path ?? ""
        while path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// Sends `method target` (path and query) with `headers` and `body`, and returns the status and the streamed
    /// body.
    func send(
        _ method: HTTPMethod = .GET, _ target: String, headers: HTTPHeaders, body: [UInt8]? = nil
    ) async throws -> APIResponse {
        let expected = serverIP
        let context = self.context
        let idleTimeout = self.idleTimeout
        // The refusal is what the caller sees, whichever way the failed handshake surfaces (an error in the
        // pipeline, or only the connection closing).
        let refusal = Refusal()
        let message =
            "the API server's certificate has no IP address \(expected) among its subject alternative names "
            + "(tls-server-name)"
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(connectTimeout)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tls = try NIOSSLClientHandler._makeSSLClientHandler(
                        context: context, serverHostname: nil,
                        additionalPeerCertificateVerificationCallback: { leaf, channel in
                            if Self.carries(expected, leaf) { return channel.eventLoop.makeSucceededVoidFuture() }
                            let error = KubeConfigError(code: .invalidCredentials, message: message)
                            refusal.error.withLock { $0 = error }
                            return channel.eventLoop.makeFailedFuture(error)
                        })
                    try channel.pipeline.syncOperations.addHandler(tls)
                    try channel.pipeline.syncOperations.addHandler(FirstErrorRecorder(refusal))
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(CloseWhenIdle())
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: target, headers: headers)
        if let body { head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count)) }
        head.headers.replaceOrAdd(name: "Host", value: authority)
        head.headers.replaceOrAdd(name: "Connection", value: "close")
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let (statusStream, statusContinuation) = AsyncThrowingStream<HTTPResponseHead, any Error>.makeStream()
        let pump = Task {
            do {
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(.head(head))
                    if let body { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
                    try await outbound.write(.end(nil))
                    for try await part in inbound {
                        switch part {
                        case .head(let response):
                            statusContinuation.yield(response)
                            statusContinuation.finish()
                        case .body(let buffer):
                            continuation.yield(buffer)
                        case .end:
                            continuation.finish()
                            return
                        }
                    }
                    throw ChannelError.eof
                }
            } catch {
                let reported: any Error = refusal.error.withLock { $0 } ?? refusal.firstError.withLock { $0 } ?? error
                statusContinuation.finish(throwing: reported)
                continuation.finish(throwing: reported)
            }
        }
        continuation.onTermination = { _ in pump.cancel() }
        do {
            var statuses = statusStream.makeAsyncIterator()
            guard let response = try await statuses.next() else { throw ChannelError.eof }
            return APIResponse(status: response.status, headers: response.headers, body: APIBody(stream))
        } catch {
            pump.cancel()
            throw error
        }
    }

    /// Whether the certificate lists `address` among its IP subject alternative names (Go's VerifyHostname for an
    /// IP: the IP SANs only, never the common name).
    static func carries(_ address: IPAddress, _ certificate: NIOSSLCertificate) -> Bool {
        certificate._subjectAlternativeNames().contains { name in
            name.nameType == .ipAddress && Array(name.contents) == address.bytes
        }
    }
}

/// The certificate refusal of one connection, if it happened.
private final class Refusal: Sendable {
    let error = Locked<KubeConfigError?>(nil)
    /// The first error the TLS layer raised (BoringSSL's verification failure, say), which the closing
    /// connection may otherwise hide behind an end of file.
    let firstError = Locked<(any Error)?>(nil)
}

/// Keeps the first error raised in the pipeline, and passes it on.
private final class FirstErrorRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny
    let refusal: Refusal

    init(_ refusal: Refusal) { self.refusal = refusal }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        refusal.firstError.withLock { if $0 == nil { $0 = error } }
        context.fireErrorCaught(error)
    }
}

/// Closes a connection that has delivered nothing for the idle timeout (a dead peer behind a quiet watch).
private final class CloseWhenIdle: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
