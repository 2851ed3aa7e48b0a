import AsyncHTTPClient
import Foundation
import Values

extension ClusterConnection {
    /// Where requests go; applies `tls-server-name` (see ``HTTPRouting``).
    ///
    /// A `tls-server-name` that is an IP address cannot be honoured (the HTTP client verifies an IP against
    /// the address it connected to, not a name it was given) and is rejected rather than silently ignored.
    public func routing() throws(KubeConfigError) -> HTTPRouting {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        guard let name = tlsServerName, !name.isEmpty, base.lowercased().hasPrefix("https://") else {
            return HTTPRouting(baseURL: base)
        }
        guard var components = URLComponents(string: base), let rawHost = components.host, !rawHost.isEmpty else {
            throw KubeConfigError(code: .malformed, message: "server \"\(server)\" is not a URL")
        }
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        if host.lowercased() == name.lowercased() { return HTTPRouting(baseURL: base) }
        if IPAddress(name) != nil {
            throw KubeConfigError(
                code: .unsupported,
                message: "tls-server-name \"\(name)\" is an IP address; only a DNS name is supported")
        }
        let bracketed = host.contains(":") ? "[\(host)]" : host
        let authority = bracketed + (components.port.map { ":\($0)" } ?? "")
        components.host = name
        guard let url = components.string else {
            throw KubeConfigError(code: .malformed, message: "tls-server-name \"\(name)\" is not a valid host name")
        }
        return HTTPRouting(baseURL: url, dnsOverride: [name: host], hostHeader: authority)
    }
}

extension ClusterConnection {
    /// The HTTP client's proxy for ``proxyURL`` (nil without one); an unusable one is refused (see
    /// ``ProxyEndpoint``).
    public func httpProxy() throws(KubeConfigError) -> HTTPClient.Configuration.Proxy? {
        guard let proxyURL else { return nil }
        let endpoint = try ProxyEndpoint.parse(proxyURL, cluster: server, file: nil)
        switch endpoint.kind {
        case .http(let credentials):
            return .server(
                host: endpoint.host, port: endpoint.port, authorization: credentials.map { .basic(credentials: $0) })
        case .socks5:
            return .socksServer(host: endpoint.host, port: endpoint.port)
        }
    }
}
