/// One HTTP response, as a probe read it.
public struct PodHTTPReply: Sendable, Hashable {
    /// The status code.
    public var status: Int
    /// The `X-Pod` header: which pod answered.
    public var pod: String?
    /// The `X-Pod-Request` header: how many requests this connection has carried, this one included.
    public var requestOnConnection: Int?
    /// The body, as text.
    public var body: String

    /// Makes a reply.
    public init(status: Int, pod: String?, requestOnConnection: Int?, body: String) {
        self.status = status
        self.pod = pod
        self.requestOnConnection = requestOnConnection
        self.body = body
    }
}
