import Foundation
import TestSupport
import Testing

@testable import Kube

@Suite("kubeconfig and in-cluster resolution")
final class KubeConfigTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    static let caPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    func writeMain() throws {
        try directory.write("ca.crt", Self.caPEM)
        try directory.write(
            "main",
            """
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
            - name: dev-cluster
              cluster:
                server: https://10.0.0.1:6443
                certificate-authority: ca.crt
            - name: prod-cluster
              cluster:
                server: https://prod:6443
                insecure-skip-tls-verify: true
            contexts:
            - name: dev
              context: {cluster: dev-cluster, user: dev-user, namespace: shop}
            - name: prod
              context: {cluster: prod-cluster, user: prod-user}
            users:
            - name: dev-user
              user:
                token: abc
            preferences: {}
            """)
    }

    @Test func currentContextWithRelativeCAFile() throws {
        try writeMain()
        let connection = try KubeConfigLoader.resolve(explicitPath: directory.file("main"), environment: [:])
        #expect(connection.server == "https://10.0.0.1:6443")
        #expect(connection.certificateAuthorityPEM == Array(Self.caPEM.utf8))
        #expect(connection.token == .literal("abc"))
        #expect(!connection.insecureSkipTLSVerify)
    }

    @Test func kubeconfigListIsMergedFirstDefinitionWins() throws {
        try writeMain()
        let certificate = Data("CERT".utf8).base64EncodedString()
        let privateKey = Data("KEY".utf8).base64EncodedString()
        try directory.write(
            "extra",
            """
            current-context: prod
            clusters:
            - name: dev-cluster
              cluster: {server: https://ignored:1}
            users:
            - name: prod-user
              user:
                client-certificate-data: \(certificate)
                client-key-data: \(privateKey)
            - name: dev-user
              user: {token: ignored}
            """)
        // `main` comes first: its current-context (dev) and its dev-cluster win.
        let env = ["KUBECONFIG": "\(directory.file("missing")):\(directory.file("main")):\(directory.file("extra"))"]
        let dev = try KubeConfigLoader.resolve(environment: env)
        #expect(dev.server == "https://10.0.0.1:6443" && dev.token == .literal("abc"))
        // prod's user is only in `extra`.
        let prod = try KubeConfigLoader.resolve(context: "prod", environment: env)
        #expect(prod.server == "https://prod:6443")
        #expect(prod.insecureSkipTLSVerify)
        #expect(prod.clientCertificatePEM == Array("CERT".utf8))
        #expect(prod.clientKeyPEM == Array("KEY".utf8))
        #expect(prod.token == nil)
    }

    @Test func homeConfigAndTokenFile() throws {
        try FileManager.default.createDirectory(atPath: directory.file(".kube"), withIntermediateDirectories: true)
        try directory.write(
            ".kube/config",
            """
            current-context: c
            clusters: [{name: k, cluster: {server: "http://127.0.0.1:8080"}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            users: [{name: u, user: {tokenFile: token}}]
            """)
        let connection = try KubeConfigLoader.resolve(environment: ["HOME": directory.path])
        #expect(connection.token == .file(directory.file(".kube/token")))
        #expect(try connection.tlsConfiguration() == nil)
    }

    @Test func errorsNameWhatIsMissing() throws {
        try writeMain()
        let explicit = directory.file("nope")
        #expect(throws: KubeConfigError(code: .notFound, message: "kubeconfig not found", file: explicit)) {
            try KubeConfigLoader.resolve(explicitPath: explicit, environment: [:])
        }
        #expect(throws: KubeConfigError(code: .missingEntry, message: "context \"qa\" not found")) {
            try KubeConfigLoader.resolve(explicitPath: self.directory.file("main"), context: "qa", environment: [:])
        }
        #expect(
            throws: KubeConfigError(code: .missingEntry, message: "user \"prod-user\" of context \"prod\" not found")
        ) {
            try KubeConfigLoader.resolve(explicitPath: self.directory.file("main"), context: "prod", environment: [:])
        }
        try directory.write(
            "exec",
            """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://x"}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            users: [{name: u, user: {exec: {command: aws, apiVersion: v1}}}]
            """)
        do {
            _ = try KubeConfigLoader.resolve(explicitPath: directory.file("exec"), environment: [:])
            Issue.record("exec plugin accepted")
        } catch {
            #expect(error.code == .unsupported)
        }
    }

    @Test func inClusterWhenNoKubeconfig() throws {
        try directory.write("token", "sa-token\n")
        try directory.write("ca.crt", Self.caPEM)
        let env = ["HOME": directory.path, "KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"]
        let connection = try KubeConfigLoader.resolve(
            environment: env, inCluster: InClusterConfig(secretsDirectory: directory.path))
        #expect(connection.server == "https://[fd00::1]:443")
        #expect(connection.token == .file(directory.file("token")))
        #expect(connection.currentToken() == "sa-token")
        try directory.write("token", "rotated")
        #expect(connection.currentToken() == "rotated")
        #expect(throws: KubeConfigError.self) {
            try KubeConfigLoader.resolve(environment: ["HOME": self.directory.path + "/none"])
        }
    }

    @Test func invalidCertificateMaterialIsReported() {
        let connection = ClusterConnection(server: "https://x", certificateAuthorityPEM: Array("garbage".utf8))
        #expect(throws: KubeConfigError.self) { try connection.tlsConfiguration() }
    }
}
