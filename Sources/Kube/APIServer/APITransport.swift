import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// How the watcher's GETs reach the API server: AsyncHTTPClient, or, for a kubeconfig whose `tls-server-name`
/// is an IP address, ``IPServerNameTransport`` (the one case AsyncHTTPClient cannot verify as client-go does).
enum APITransport: Sendable {
    case client(HTTPClient, baseURL: String)
    case ipServerName(IPServerNameTransport, pathPrefix: String)

    /// `GET path?query` with `headers`, within `timeout` for the whole exchange (AsyncHTTPClient) or with the
    /// idle timeout alone (the IP transport closes a connection that delivers nothing for that long).
    func get(_ pathAndQuery: String, headers: HTTPHeaders, timeout: Duration) async throws -> APIResponse {
        try await send(.GET, pathAndQuery, headers: headers, body: nil, timeout: timeout)
    }

    /// `method path?query` with `headers` and `body` (a POST or PATCH of the event recorder), as ``get``.
    func send(
        _ method: HTTPMethod, _ pathAndQuery: String, headers: HTTPHeaders, body: [UInt8]?, timeout: Duration
    ) async throws -> APIResponse {
        switch self {
        case .client(let client, let baseURL):
            var request = HTTPClientRequest(url: baseURL + pathAndQuery)
            request.method = method
            request.headers = headers
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let seconds = timeout.components.seconds
            let response = try await client.execute(request, timeout: .seconds(seconds))
            return APIResponse(status: response.status, headers: response.headers, body: APIBody(.client(response.body)))
        case .ipServerName(let transport, let prefix):
            return try await transport.send(method, prefix + pathAndQuery, headers: headers, body: body)
        }
    }

    func shutdown() async {
        switch self {
        case .client(let client, _): try? await client.shutdown()
        case .ipServerName: break
        }
    }
}

/// A response's status and headers, and its body as it streams.
struct APIResponse: Sendable {
    let status: HTTPResponseStatus
    let headers: HTTPHeaders
    let body: APIBody

    /// The wait the server asks for, as client-go reads it (`checkWait`): `Retry-After` in whole seconds on a 429 or a
    /// 5xx; nil otherwise (an HTTP date is not read, as client-go does not).
    var retryAfter: Duration? {
        guard status.code == 429 || status.code >= 500,
            let text = headers["Retry-After"].first?.trimmingCharacters(in: .whitespaces),
            let seconds = Int(text), seconds >= 0
        else { return nil }
        return .seconds(seconds)
    }
}

/// A response body from either transport, read as chunks.
struct APIBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    enum Source: Sendable {
        case client(HTTPClientResponse.Body)
        case stream(AsyncThrowingStream<ByteBuffer, any Error>)
    }

    let source: Source

    init(_ source: Source) { self.source = source }
    init(_ stream: AsyncThrowingStream<ByteBuffer, any Error>) { self.source = .stream(stream) }

    struct AsyncIterator: AsyncIteratorProtocol {
        enum Inner {
            case client(HTTPClientResponse.Body.AsyncIterator)
            case stream(AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator)
        }
        var inner: Inner

        mutating func next() async throws -> ByteBuffer? {
            switch inner {
            case .client(var iterator):
                let chunk = try await iterator.next()
                inner = .client(iterator)
                return chunk
            case .stream(var iterator):
                let chunk = try await iterator.next()
                inner = .stream(iterator)
                return chunk
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        switch source {
        case .client(let body): AsyncIterator(inner: .client(body.makeAsyncIterator()))
        case .stream(let stream): AsyncIterator(inner: .stream(stream.makeAsyncIterator()))
        }
    }

    /// The whole body, refused beyond `maximum` bytes.
    func collect(upTo maximum: Int) async throws -> ByteBuffer {
        var buffer = ByteBuffer()
        for try await chunk in self {
            guard buffer.readableBytes + chunk.readableBytes <= maximum else {
                throw SourceError(.connection, "response body larger than \(maximum) bytes")
            }
            buffer.writeImmutableBuffer(chunk)
        }
        return buffer
    }
}
