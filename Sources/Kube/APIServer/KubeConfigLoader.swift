import Foundation

/// Resolves a ``ClusterConnection`` the way client-go does.
///
/// Precedence: an explicit kubeconfig path (`--kubeconfig` or `clientConnection.kubeconfig`: only that file);
/// else `KUBECONFIG` (a `:`-separated list, merged: for clusters, users and contexts the first file defining a
/// name wins, and the first file setting `current-context` wins; missing files are skipped); else
/// `~/.kube/config`; else the in-cluster environment (``InClusterConfig``). Relative certificate, key and
/// token-file paths are relative to the kubeconfig file that names them. `--master` replaces the server of
/// whatever kubeconfig was found (and clears its `tls-server-name`, as client-go's server override does); with no
/// kubeconfig it is used alone (no credentials, the system trust store), as client-go's `BuildConfigFromFlags`,
/// and the in-cluster environment is not consulted.
public enum KubeConfigLoader {
    /// The kubeconfig files to read, in precedence order, whether any of them is required to exist, and how
    /// they were chosen.
    public static func candidateFiles(
        explicitPath: String?, environment: [String: String], homeDirectory: String?
    ) -> (files: [String], required: Bool) {
        if let explicitPath, !explicitPath.isEmpty { return ([explicitPath], true) }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return (list.split(separator: ":").map(String.init).filter { !$0.isEmpty }, false)
        }
        if let home = homeDirectory ?? environment["HOME"] { return ([home + "/.kube/config"], false) }
        return ([], false)
    }

    /// Resolves the connection: kubeconfig first, then in-cluster.
    public static func resolve(
        explicitPath: String? = nil,
        context: String? = nil,
        master: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String? = nil,
        inCluster: InClusterConfig = InClusterConfig()
    ) throws(KubeConfigError) -> ClusterConnection {
        try locate(
            explicitPath: explicitPath, context: context, master: master, environment: environment,
            homeDirectory: homeDirectory, inCluster: inCluster
        ).connection
    }

    /// Resolves the connection and says where it came from (``ResolvedConnection/startLine``).
    /// `explicitPathOrigin` and `masterOrigin` name where the path and the server were given (`--kubeconfig`,
    /// a config file's key, an environment variable).
    public static func locate(
        explicitPath: String? = nil,
        explicitPathOrigin: String = "--kubeconfig",
        context: String? = nil,
        master: String? = nil,
        masterOrigin: String = "--master",
        environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String? = nil,
        inCluster: InClusterConfig = InClusterConfig()
    ) throws(KubeConfigError) -> ResolvedConnection {
        let master = master.flatMap { $0.isEmpty ? nil : $0 }
        let explicit = explicitPath.flatMap { $0.isEmpty ? nil : $0 }
        let (candidates, required) = candidateFiles(
            explicitPath: explicit, environment: environment, homeDirectory: homeDirectory)
        var loaded: [(path: String, file: KubeConfigFile)] = []
        for path in candidates {
            guard FileManager.default.fileExists(atPath: path) else {
                if required { throw KubeConfigError(code: .notFound, message: "kubeconfig not found", file: path) }
                continue
            }
            loaded.append((path, try parse(path)))
        }
        let masterSource = master.map { ResolvedConnection.Master(server: $0, origin: masterOrigin) }
        if loaded.isEmpty {
            if let master {
                return ResolvedConnection(
                    connection: ClusterConnection(server: master), source: .master, master: masterSource)
            }
            if let connection = try inCluster.resolve(environment: environment) {
                return ResolvedConnection(
                    connection: connection, source: .inCluster(secretsDirectory: inCluster.secretsDirectory))
            }
            throw KubeConfigError(
                code: .notFound,
                message: "no kubeconfig (tried \(candidates.joined(separator: ", "))) and not running in a cluster")
        }
        let via =
            explicit != nil ? explicitPathOrigin : environment["KUBECONFIG"].map { _ in "KUBECONFIG" } ?? "home"
        var (connection, contextName) = try merge(loaded, context: context)
        if let master {
            connection.server = master
            connection.tlsServerName = nil
        }
        return ResolvedConnection(
            connection: connection,
            source: .kubeconfig(files: loaded.map(\.path), via: via, context: contextName), master: masterSource)
    }

    /// Parses one kubeconfig file.
    public static func parse(_ path: String) throws(KubeConfigError) -> KubeConfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw KubeConfigError(code: .unreadable, message: "cannot read: \(error)", file: path)
        }
        do {
            return try YAMLObjectDecoder.decode(KubeConfigFile.self, fromYAML: text)
        } catch {
            throw KubeConfigError(code: .malformed, message: "not a kubeconfig: \(error)", file: path)
        }
    }

    /// Merges parsed files (first definition wins) and resolves the chosen or current context.
    public static func merge(
        _ files: [(path: String, file: KubeConfigFile)], context override: String? = nil
    ) throws(KubeConfigError) -> (connection: ClusterConnection, context: String) {
        var clusters: [String: (String, KubeConfigFile.Cluster)] = [:]
        var users: [String: (String, KubeConfigFile.User)] = [:]
        var contexts: [String: KubeConfigFile.Context] = [:]
        var current: String?
        for (path, file) in files {
            for entry in file.clusters ?? [] where clusters[entry.name] == nil {
                clusters[entry.name] = (path, entry.value ?? KubeConfigFile.Cluster())
            }
            for entry in file.users ?? [] where users[entry.name] == nil {
                users[entry.name] = (path, entry.value ?? KubeConfigFile.User())
            }
            for entry in file.contexts ?? [] where contexts[entry.name] == nil {
                contexts[entry.name] = entry.value ?? KubeConfigFile.Context()
            }
            if current == nil, let name = file.currentContext, !name.isEmpty { current = name }
        }
        guard let contextName = override ?? current else {
            throw KubeConfigError(code: .missingEntry, message: "no current-context set and no context given")
        }
        guard let chosen = contexts[contextName] else {
            throw KubeConfigError(code: .missingEntry, message: "context \"\(contextName)\" not found")
        }
        guard let clusterName = chosen.cluster, let (clusterPath, cluster) = clusters[clusterName] else {
            throw KubeConfigError(
                code: .missingEntry,
                message: "cluster \"\(chosen.cluster ?? "")\" of context \"\(contextName)\" not found")
        }
        guard let server = cluster.server, !server.isEmpty else {
            throw KubeConfigError(
                code: .missingEntry, message: "cluster \"\(clusterName)\" has no server", file: clusterPath)
        }
        var connection = ClusterConnection(
            server: server, insecureSkipTLSVerify: cluster.insecureSkipTLSVerify ?? false,
            tlsServerName: cluster.tlsServerName, proxyURL: cluster.proxyURL.flatMap { $0.isEmpty ? nil : $0 })
        try KubeConfigRules.checkCluster(cluster, named: clusterName, file: clusterPath)
        connection.certificateAuthorityPEM = try material(
            data: cluster.certificateAuthorityData, file: cluster.certificateAuthority, relativeTo: clusterPath,
            field: "clusters[\(clusterName)].certificate-authority")
        if let userName = chosen.user, !userName.isEmpty {
            guard let (userPath, user) = users[userName] else {
                throw KubeConfigError(
                    code: .missingEntry, message: "user \"\(userName)\" of context \"\(contextName)\" not found")
            }
            try KubeConfigRules.checkUser(user, named: userName, file: userPath)
            connection.clientCertificatePEM = try material(
                data: user.clientCertificateData, file: user.clientCertificate, relativeTo: userPath,
                field: "users[\(userName)].client-certificate")
            connection.clientKeyPEM = try material(
                data: user.clientKeyData, file: user.clientKey, relativeTo: userPath,
                field: "users[\(userName)].client-key")
            // client-go: a token file wins (re-read as it rotates); the literal token is its fallback.
            let literal = user.token.flatMap { $0.isEmpty ? nil : $0 }
            if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
                connection.token = .file(absolute(tokenFile, relativeTo: userPath), fallback: literal)
            } else if let literal {
                connection.token = .literal(literal)
            }
            if (connection.clientCertificatePEM == nil) != (connection.clientKeyPEM == nil) {
                throw KubeConfigError(
                    code: .invalidCredentials, message: "user \"\(userName)\": client certificate and key go together",
                    file: userPath)
            }
        }
        return (connection, contextName)
    }

    static func material(
        data: String?, file: String?, relativeTo configPath: String, field: String
    ) throws(KubeConfigError) -> [UInt8]? {
        if let data, !data.isEmpty {
            guard let decoded = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else {
                throw KubeConfigError(
                    code: .invalidCredentials, message: "\(field)-data is not base64", file: configPath)
            }
            return Array(decoded)
        }
        guard let file, !file.isEmpty else { return nil }
        let path = absolute(file, relativeTo: configPath)
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw KubeConfigError(code: .unreadable, message: "\(field): cannot read \(path)", file: configPath)
        }
        return Array(contents)
    }

    static func absolute(_ path: String, relativeTo configPath: String) -> String {
        if path.hasPrefix("/") { return path }
        let directory = (configPath as NSString).deletingLastPathComponent
        return directory.isEmpty ? path : directory + "/" + path
    }
}
