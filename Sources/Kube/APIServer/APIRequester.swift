import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One request to the API server as every caller makes it (the watcher's lists and watches, the event recorder's
/// writes): the current token (a token file is re-read for each request, on the thread pool), the routing's `Host`,
/// the shared client-side rate limit, and the request counted by its method and result. One transport, so one HTTP
/// client, for all of them.
struct APIRequester: Sendable {
    let transport: APITransport
    let threadPool: NIOThreadPool
    let connection: ClusterConnection
    let routing: HTTPRouting
    let limiter: RequestRateLimiter<SourceClockAdapter>
    let metrics: APIClientMetrics

    /// `method path?query` with `body` (JSON, or `contentType`), within `timeout`.
    func send(
        _ method: HTTPMethod, _ path: String, _ query: [(String, String)] = [], body: [UInt8]? = nil,
        contentType: String = "application/json", timeout: Duration
    ) async throws -> APIResponse {
        var components = URLComponents()
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        let query = components.percentEncodedQuery.map { "?" + $0 } ?? ""
        var headers = HTTPHeaders()
        if let host = routing.hostHeader { headers.add(name: "Host", value: host) }
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "User-Agent", value: "ipvs-proxy")
        if body != nil { headers.add(name: "Content-Type", value: contentType) }
        let connection = self.connection
        if let token = try await threadPool.runIfActive({ connection.currentToken() }) {
            headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        try await limiter.wait()
        do {
            let response = try await transport.send(
                method, path + query, headers: headers, body: body, timeout: timeout)
            metrics.request(code: response.status.code, method: method.rawValue)
            return response
        } catch {
            if !Task.isCancelled { metrics.request(code: nil, method: method.rawValue) }
            throw error
        }
    }
}
