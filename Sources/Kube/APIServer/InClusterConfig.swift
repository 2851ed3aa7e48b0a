import Foundation

/// The in-cluster configuration: `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT` and the mounted
/// service-account token and CA. The token is referenced as a file, so a rotated token is picked up.
public struct InClusterConfig: Sendable, Hashable {
    /// Where the service-account secret is mounted.
    public var secretsDirectory: String

    /// Creates the configuration with the standard mount point, or another one (tests).
    public init(secretsDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount") {
        self.secretsDirectory = secretsDirectory
    }

    /// The connection, or nil when not running in a cluster (the variables are unset).
    public func resolve(environment: [String: String]) throws(KubeConfigError) -> ClusterConnection? {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else { return nil }
        let tokenPath = secretsDirectory + "/token"
        guard FileManager.default.fileExists(atPath: tokenPath) else {
            throw KubeConfigError(code: .notFound, message: "in-cluster token missing", file: tokenPath)
        }
        let caPath = secretsDirectory + "/ca.crt"
        guard let ca = FileManager.default.contents(atPath: caPath) else {
            throw KubeConfigError(code: .unreadable, message: "in-cluster CA missing", file: caPath)
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return ClusterConnection(
            server: "https://\(hostPart):\(port)", certificateAuthorityPEM: Array(ca), token: .file(tokenPath))
    }
}
