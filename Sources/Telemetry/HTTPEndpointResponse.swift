/// What an endpoint answers: a status, a content type and a body.
public struct HTTPEndpointResponse: Sendable, Hashable {
    /// The HTTP status code.
    public var status: Int
    /// The Content-Type header.
    public var contentType: String
    /// The body.
    public var body: [UInt8]
    /// Headers besides Content-Type, Content-Length and X-Content-Type-Options (which every answer has).
    public var headers: [String: String]

    /// A response.
    public init(status: Int, contentType: String, body: [UInt8], headers: [String: String] = [:]) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// A plain-text response.
    public static func text(_ text: String, status: Int = 200) -> HTTPEndpointResponse {
        HTTPEndpointResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }
}
