import Foundation
import TestSupport
import Testing
import Yams

@testable import Kube

/// The shipped DaemonSet reaches the control plane without the Service network: a kubeconfig (kubeadm's shape)
/// mounted from its ConfigMap and named by --kubeconfig, and DNS that does not go through cluster DNS.
@Suite struct ShippedManifestsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func load(_ name: String) throws -> [String: Any] {
        let text = try String(contentsOf: root.appendingPathComponent("manifests/\(name)"), encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    @Test func daemonSetUsesTheMountedKubeconfigAndNoClusterDNS() throws {
        let daemonSet = try Self.load("05-daemonset.yaml")
        let pod = try #require(
            ((daemonSet["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
        #expect(pod["dnsPolicy"] as? String == "Default")
        #expect(pod["hostNetwork"] as? Bool == true)
        let containers = try #require(pod["containers"] as? [[String: Any]])
        let proxy = try #require(containers.first { $0["name"] as? String == "ipvs-proxy" })
        let args = try #require(proxy["args"] as? [String])
        let index = try #require(args.firstIndex(of: "--kubeconfig"))
        let path = try #require(args.dropFirst(index + 1).first)
        let directory = (path as NSString).deletingLastPathComponent
        let mounts = try #require(proxy["volumeMounts"] as? [[String: Any]])
        let mount = try #require(mounts.first { $0["mountPath"] as? String == directory }, "\(path) is not mounted")
        let volumes = try #require(pod["volumes"] as? [[String: Any]])
        let volume = try #require(volumes.first { $0["name"] as? String == mount["name"] as? String })
        let configMapName = try #require((volume["configMap"] as? [String: Any])?["name"] as? String)

        let configMap = try Self.load("04-kubeconfig.yaml")
        #expect((configMap["metadata"] as? [String: Any])?["name"] as? String == configMapName)
        let data = try #require(configMap["data"] as? [String: String])
        let text = try #require(data[(path as NSString).lastPathComponent])
        let file = try YAMLObjectDecoder.decode(KubeConfigFile.self, fromYAML: text)
        let cluster = try #require(file.clusters?.first?.value)
        let serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount"
        #expect(cluster.server?.hasPrefix("https://") == true)
        #expect(cluster.certificateAuthority == serviceAccount + "/ca.crt")
        #expect(file.users?.first?.value?.tokenFile == serviceAccount + "/token")
        // It resolves as a kubeconfig does (the service-account files are the pod's; here, a stand-in).
        let scratch = try TemporaryDirectory()
        try scratch.write("ca.crt", KubeConfigTests.caPEM)
        try scratch.write(
            "kubeconfig.conf",
            text.replacingOccurrences(of: serviceAccount, with: scratch.path))
        let resolved = try KubeConfigLoader.locate(explicitPath: scratch.file("kubeconfig.conf"), environment: [:])
        #expect(resolved.connection.server == cluster.server)
        #expect(resolved.connection.token == .file(scratch.file("token")))
    }
}
