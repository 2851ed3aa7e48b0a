/// Everything needed to talk to an API server, resolved from a kubeconfig or the in-cluster environment.
public struct ClusterConnection: Sendable, Hashable {
    /// How requests authenticate.
    public enum BearerToken: Sendable, Hashable {
        /// A fixed token.
        case literal(String)
        /// A token file, re-read on every request so rotated service-account tokens are picked up; `fallback` is a
        /// literal token used while the file cannot be read (client-go: `tokenFile` wins over `token`, which stays
        /// the fallback).
        case file(String, fallback: String? = nil)
    }

    /// The server URL, `https://host:port` (maybe with a path prefix).
    public var server: String
    /// PEM CA bundle to trust; nil means the system trust store.
    public var certificateAuthorityPEM: [UInt8]?
    /// PEM client certificate chain.
    public var clientCertificatePEM: [UInt8]?
    /// PEM client private key.
    public var clientKeyPEM: [UInt8]?
    /// The bearer token.
    public var token: BearerToken?
    /// Skip server certificate verification (insecure-skip-tls-verify).
    public var insecureSkipTLSVerify: Bool
    /// The name to verify the server certificate against, when not the server's host.
    public var tlsServerName: String?
    /// The proxy requests go through (`proxy-url`: `http://` or `socks5://`), if any.
    public var proxyURL: String?

    /// Creates a connection description.
    public init(
        server: String,
        certificateAuthorityPEM: [UInt8]? = nil,
        clientCertificatePEM: [UInt8]? = nil,
        clientKeyPEM: [UInt8]? = nil,
        token: BearerToken? = nil,
        insecureSkipTLSVerify: Bool = false,
        tlsServerName: String? = nil,
        proxyURL: String? = nil
    ) {
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.token = token
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.proxyURL = proxyURL
    }
}
