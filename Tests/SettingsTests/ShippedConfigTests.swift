import Foundation
import Settings
import Testing
import Values
import Yams

/// The config file shipped in manifests/04-configmap.yaml is one the proxy accepts.
@Suite struct ShippedConfigTests {
    @Test func configMapHoldsAValidConfigFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent("manifests/04-configmap.yaml").path
        let configMap = try #require(
            try Yams.load(yaml: String(contentsOfFile: path, encoding: .utf8)) as? [String: Any])
        let data = try #require(configMap["data"] as? [String: String])
        let text = try #require(data["config.yaml"])
        let settings = try ProxySettings.resolve([try ConfigFile.parse(text, path: "04-configmap.yaml")])
        #expect(settings.healthzBindAddress == BindAddress(host: .v4(IPv4Address(0)), port: 10256))
        #expect(settings.minSyncPeriod == .seconds(1))
    }

    /// The ownership record must outlive the pod, as the kernel's table does: in a container's own /run a restarted
    /// pod would find no record and take its own NodePorts for another program's. So the directories of the
    /// record and of the health state file, as the shipped config resolves them, are hostPath volumes.
    @Test func daemonSetKeepsTheStateFilesOnTheHost() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        func load(_ name: String) throws -> [String: Any] {
            let path = root.appendingPathComponent("manifests/\(name)").path
            return try #require(try Yams.load(yaml: String(contentsOfFile: path, encoding: .utf8)) as? [String: Any])
        }
        let configMap = try load("04-configmap.yaml")
        let text = try #require((configMap["data"] as? [String: String])?["config.yaml"])
        let settings = try ProxySettings.resolve([try ConfigFile.parse(text, path: "04-configmap.yaml")])
        let pod = try #require(
            ((try load("05-daemonset.yaml")["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"]
                as? [String: Any])
        let proxy = try #require((pod["containers"] as? [[String: Any]])?.first { $0["name"] as? String == "ipvs-proxy" })
        let mounts = try #require(proxy["volumeMounts"] as? [[String: Any]])
        let volumes = try #require(pod["volumes"] as? [[String: Any]])
        let files = [try #require(settings.ownershipFile), try #require(settings.healthCheck.stateFile)]
        for file in files {
            let directory = (file as NSString).deletingLastPathComponent
            let mount = try #require(mounts.first { $0["mountPath"] as? String == directory }, "\(directory) not mounted")
            #expect(mount["readOnly"] as? Bool != true)
            let volume = try #require(volumes.first { $0["name"] as? String == mount["name"] as? String })
            let hostPath = try #require(volume["hostPath"] as? [String: Any], "\(directory) is not a hostPath volume")
            #expect(hostPath["path"] as? String == directory)
        }
    }
}
