import AsyncHTTPClient
import Foundation
import Values

extension ClusterConnection {
    /// Where requests go; applies a DNS `tls-server-name` (see ``HTTPRouting``). An IP address `tls-server-name`
    /// leaves the URL as it is: ``ipServerName`` is then verified by the API source's own TLS transport.
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
        if IPAddress(name) != nil { return HTTPRouting(baseURL: base) }
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
    /// The `tls-server-name` when it is an IP address other than the server's own host, over `https` with
    /// verification on: the certificate must carry it as an IP subject alternative name (Go's crypto/tls).
    public var ipServerName: IPAddress? {
        guard let name = tlsServerName, let address = IPAddress(name), !insecureSkipTLSVerify,
            server.lowercased().hasPrefix("https://"),
            let host = URLComponents(string: server)?.host
        else { return nil }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        return IPAddress(bare) == address ? nil : address
    }

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
