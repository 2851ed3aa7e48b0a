import Foundation

/// The checks client-go makes on the chosen cluster and user before using them (its `validateClusterInfo`,
/// `validateAuthInfo` and transport setup), and what this client does not do, each refused with an error naming
/// the entry and the file.
enum KubeConfigRules {
    /// A cluster entry: file and inline CA not both, no CA with insecure-skip-tls-verify, a usable proxy-url.
    static func checkCluster(
        _ cluster: KubeConfigFile.Cluster, named name: String, file: String
    ) throws(KubeConfigError) {
        let hasFile = !(cluster.certificateAuthority ?? "").isEmpty
        let hasData = !(cluster.certificateAuthorityData ?? "").isEmpty
        if hasFile && hasData {
            throw KubeConfigError(
                code: .malformed,
                message: "cluster \"\(name)\": certificate-authority-data and certificate-authority are both set; "
                    + "give one", file: file)
        }
        if cluster.insecureSkipTLSVerify == true && (hasFile || hasData) {
            throw KubeConfigError(
                code: .malformed,
                message: "cluster \"\(name)\": insecure-skip-tls-verify cannot be combined with a certificate-authority",
                file: file)
        }
        if let proxy = cluster.proxyURL, !proxy.isEmpty {
            _ = try ProxyEndpoint.parse(proxy, cluster: name, file: file)
        }
    }

    /// A user entry: no plugins, no basic auth, no impersonation, file and inline material not both.
    static func checkUser(_ user: KubeConfigFile.User, named name: String, file: String) throws(KubeConfigError) {
        if let exec = user.exec {
            throw KubeConfigError(
                code: .unsupported,
                message: "user \"\(name)\": exec credential plugins (\(exec.command ?? "?")) are not supported; "
                    + "use a token, tokenFile or client certificate", file: file)
        }
        if let provider = user.authProvider {
            throw KubeConfigError(
                code: .unsupported,
                message: "user \"\(name)\": auth-provider plugins (\(provider.name ?? "?")) are not supported; "
                    + "use a token, tokenFile or client certificate", file: file)
        }
        if !(user.username ?? "").isEmpty || !(user.password ?? "").isEmpty {
            throw KubeConfigError(
                code: .unsupported, message: "user \"\(name)\": basic authentication is not supported", file: file)
        }
        if !(user.impersonate ?? "").isEmpty {
            throw KubeConfigError(
                code: .unsupported, message: "user \"\(name)\": impersonation (as) is not supported", file: file)
        }
        for (field, path, data) in [
            ("client-certificate", user.clientCertificate, user.clientCertificateData),
            ("client-key", user.clientKey, user.clientKeyData),
        ] where !(path ?? "").isEmpty && !(data ?? "").isEmpty {
            throw KubeConfigError(
                code: .malformed, message: "user \"\(name)\": \(field)-data and \(field) are both set; give one",
                file: file)
        }
    }
}

/// A `proxy-url` the HTTP client can use: an HTTP proxy (CONNECT, optionally with basic credentials) or a
/// SOCKS5 proxy without credentials. client-go also takes `https://` proxies; this client cannot (it does not
/// speak TLS to a proxy), so such a URL is refused rather than used differently.
struct ProxyEndpoint: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// HTTP CONNECT; `authorization` is the base64 of `user:password` for basic proxy authentication.
        case http(authorization: String?)
        case socks5
    }

    var kind: Kind
    var host: String
    var port: Int

    static func parse(_ text: String, cluster: String, file: String?) throws(KubeConfigError) -> ProxyEndpoint {
        func refuse(_ why: String) -> KubeConfigError {
            KubeConfigError(code: .unsupported, message: "cluster \"\(cluster)\": proxy-url \"\(text)\": \(why)", file: file)
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let rawHost = components.host, !rawHost.isEmpty
        else { throw refuse("not a URL") }
        let host = rawHost.hasPrefix("[") ? String(rawHost.dropFirst().dropLast()) : rawHost
        switch scheme {
        case "http":
            var authorization: String?
            if let user = components.user {
                let pair = user + ":" + (components.password ?? "")
                authorization = Data(pair.utf8).base64EncodedString()
            }
            return ProxyEndpoint(kind: .http(authorization: authorization), host: host, port: components.port ?? 80)
        case "socks5":
            if components.user != nil { throw refuse("a SOCKS5 proxy with credentials is not supported") }
            return ProxyEndpoint(kind: .socks5, host: host, port: components.port ?? 1080)
        case "https":
            throw refuse("an https:// proxy is not supported (only http:// and socks5://)")
        default:
            throw refuse("scheme \(scheme) is not supported (only http:// and socks5://)")
        }
    }
}
