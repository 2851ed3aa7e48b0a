/// The parts of a kubeconfig file (`kind: Config`) needed to reach a cluster. Unknown fields are ignored.
public struct KubeConfigFile: Codable, Sendable, Hashable {
    /// Named clusters.
    public var clusters: [Named<Cluster>]?
    /// Named users (credentials).
    public var users: [Named<User>]?
    /// Named contexts (cluster + user).
    public var contexts: [Named<Context>]?
    /// The context to use.
    public var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    /// A `{name, cluster|user|context}` entry.
    public struct Named<Value: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
        /// The entry's name.
        public var name: String
        /// The entry.
        public var value: Value?

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        /// Decodes `name` and whichever of `cluster`, `user`, `context` is present.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            name = try container.decode(String.self, forKey: Key(stringValue: "name"))
            value = nil
            for field in ["cluster", "user", "context"] where container.contains(Key(stringValue: field)) {
                value = try container.decode(Value.self, forKey: Key(stringValue: field))
            }
        }

        /// Creates an entry.
        public init(name: String, value: Value?) {
            self.name = name
            self.value = value
        }

        /// Encodes under `value` (used only for debugging output).
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(name, forKey: Key(stringValue: "name"))
            try container.encodeIfPresent(value, forKey: Key(stringValue: "value"))
        }
    }

    /// A cluster entry.
    public struct Cluster: Codable, Sendable, Hashable {
        /// `https://host:port`.
        public var server: String?
        /// Path of a PEM CA bundle (relative to the kubeconfig file).
        public var certificateAuthority: String?
        /// Base64 of a PEM CA bundle.
        public var certificateAuthorityData: String?
        /// Skip server certificate verification.
        public var insecureSkipTLSVerify: Bool?
        /// The name to verify the server certificate against.
        public var tlsServerName: String?
        /// The proxy to reach the server through.
        public var proxyURL: String?

        enum CodingKeys: String, CodingKey {
            case server
            case proxyURL = "proxy-url"
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }

    /// A user entry (credentials).
    public struct User: Codable, Sendable, Hashable {
        /// A bearer token.
        public var token: String?
        /// Path of a file holding a bearer token (re-read on every request).
        public var tokenFile: String?
        /// Path of a PEM client certificate.
        public var clientCertificate: String?
        /// Base64 of a PEM client certificate.
        public var clientCertificateData: String?
        /// Path of a PEM client key.
        public var clientKey: String?
        /// Base64 of a PEM client key.
        public var clientKeyData: String?
        /// Basic-auth user (unsupported, reported).
        public var username: String?
        /// Basic-auth password (unsupported, reported).
        public var password: String?
        /// Marks an exec credential plugin (unsupported, reported).
        public var exec: ExecMarker?
        /// Marks an auth-provider plugin (unsupported, reported).
        public var authProvider: AuthProviderMarker?
        /// A user to impersonate (unsupported, reported).
        public var impersonate: String?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile, username, password, exec
            case authProvider = "auth-provider"
            case impersonate = "as"
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
        }
    }

    /// The command of an exec credential plugin (only used to name it in the error).
    public struct ExecMarker: Codable, Sendable, Hashable {
        /// The plugin command.
        public var command: String?
    }

    /// The name of an auth-provider plugin (only used to name it in the error).
    public struct AuthProviderMarker: Codable, Sendable, Hashable {
        /// The provider's name (gcp, oidc, azure, ...).
        public var name: String?
    }

    /// A context entry.
    public struct Context: Codable, Sendable, Hashable {
        /// The cluster's name.
        public var cluster: String?
        /// The user's name.
        public var user: String?
        /// The default namespace (unused by the proxy, which watches all namespaces).
        public var namespace: String?
    }
}
