/// How requests reach the API server: the base URL given to the HTTP client, the connect-address override
/// and the `Host` header.
///
/// Without `tls-server-name` the base URL is the configured server and nothing is overridden. With it (and
/// `https`), the URL's host becomes the TLS server name, so the client sends it as SNI and verifies the
/// server certificate against it, while `dnsOverride` still makes the client connect to the configured
/// host and the `Host` header keeps the configured authority, as kubectl does.
public struct HTTPRouting: Sendable, Hashable {
    /// The base URL requests are made against (no trailing slash).
    public var baseURL: String
    /// Host name (as in ``baseURL``) to the address actually connected to.
    public var dnsOverride: [String: String]
    /// The `Host` header to send instead of the one derived from ``baseURL``, if any.
    public var hostHeader: String?

    /// Creates a routing.
    public init(baseURL: String, dnsOverride: [String: String] = [:], hostHeader: String? = nil) {
        self.baseURL = baseURL
        self.dnsOverride = dnsOverride
        self.hostHeader = hostHeader
    }
}
