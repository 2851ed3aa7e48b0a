import Foundation

/// A ``ClusterConnection`` and where it came from, for the one line the proxy logs at start.
public struct ResolvedConnection: Sendable, Hashable {
    /// Where the connection's settings were found.
    public enum Source: Sendable, Hashable {
        /// Kubeconfig files (one, or a merged `KUBECONFIG` list), chosen `via` a flag, a setting, `KUBECONFIG` or
        /// `home` (~/.kube/config), and the context used.
        case kubeconfig(files: [String], via: String, context: String)
        /// `--master` alone: no kubeconfig, so no credentials.
        case master
        /// The in-cluster environment: `KUBERNETES_SERVICE_HOST`/`_PORT` and the service-account directory.
        case inCluster(secretsDirectory: String)
    }

    /// A server given apart from the kubeconfig (`--master`).
    public struct Master: Sendable, Hashable {
        /// The server URL.
        public var server: String
        /// Where it was given.
        public var origin: String
    }

    /// The connection.
    public var connection: ClusterConnection
    /// Where it came from.
    public var source: Source
    /// The server override, if one was given.
    public var master: Master?

    /// Creates a resolved connection.
    public init(connection: ClusterConnection, source: Source, master: Master? = nil) {
        self.connection = connection
        self.source = source
        self.master = master
    }

    /// One line: the endpoint and where it came from, e.g. `API server https://10.0.0.1:6443 (server and
    /// credentials from kubeconfig /var/lib/kube-proxy/kubeconfig.conf given by --kubeconfig, context default)`.
    public var startLine: String {
        var parts: [String] = []
        switch source {
        case .kubeconfig(let files, let via, let context):
            let chosen = via == "home" ? "~/.kube/config" : "given by \(via)"
            let what = master == nil ? "server and credentials" : "credentials"
            let noun = files.count == 1 ? "kubeconfig" : "kubeconfigs"
            parts.append("\(what) from \(noun) \(files.joined(separator: ":")) \(chosen), context \(context)")
        case .master:
            parts.append("no kubeconfig: no credentials, the system trust store")
        case .inCluster(let directory):
            parts.append("in-cluster: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT and \(directory)")
        }
        if let master { parts.insert("server from \(master.origin)", at: 0) }
        if let name = connection.tlsServerName, !name.isEmpty { parts.append("tls-server-name \(name)") }
        if let proxy = connection.proxyURL {
            // Credentials in the URL stay out of the log.
            var components = URLComponents(string: proxy)
            components?.user = nil
            components?.password = nil
            parts.append("through proxy \(components?.string ?? "(unparsable proxy-url)")")
        }
        return "API server \(connection.server) (\(parts.joined(separator: "; ")))"
    }
}
