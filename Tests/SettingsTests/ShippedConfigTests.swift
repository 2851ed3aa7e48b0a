import Foundation
import Settings
import Testing
import Values
import Yams

/// The files under manifests/ as the tests here read them.
enum Shipped {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// manifests/`name`, parsed.
    static func load(_ name: String) throws -> [String: Any] {
        let path = root.appendingPathComponent("manifests/\(name)").path
        return try #require(try Yams.load(yaml: String(contentsOfFile: path, encoding: .utf8)) as? [String: Any])
    }

    /// The DaemonSet's pod spec.
    static func podSpec() throws -> [String: Any] {
        try #require(
            ((try load("05-daemonset.yaml")["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"]
                as? [String: Any])
    }
}

/// The config file shipped in manifests/04-configmap.yaml is one the proxy accepts.
@Suite struct ShippedConfigTests {
    @Test func configMapHoldsAValidConfigFile() throws {
        let configMap = try Shipped.load("04-configmap.yaml")
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
        let configMap = try Shipped.load("04-configmap.yaml")
        let text = try #require((configMap["data"] as? [String: String])?["config.yaml"])
        let settings = try ProxySettings.resolve([try ConfigFile.parse(text, path: "04-configmap.yaml")])
        let pod = try Shipped.podSpec()
        let proxy = try #require(
            (pod["containers"] as? [[String: Any]])?.first { $0["name"] as? String == "ipvs-proxy" })
        let mounts = try #require(proxy["volumeMounts"] as? [[String: Any]])
        let volumes = try #require(pod["volumes"] as? [[String: Any]])
        let files = [try #require(settings.ownershipFile), try #require(settings.healthCheck.stateFile)]
        for file in files {
            let directory = (file as NSString).deletingLastPathComponent
            let mount = try #require(
                mounts.first { $0["mountPath"] as? String == directory }, "\(directory) not mounted")
            #expect(mount["readOnly"] as? Bool != true)
            let volume = try #require(volumes.first { $0["name"] as? String == mount["name"] as? String })
            let hostPath = try #require(volume["hostPath"] as? [String: Any], "\(directory) is not a hostPath volume")
            #expect(hostPath["path"] as? String == directory)
        }
    }
}

/// `kubectl apply -k manifests/`: the settings that differ per cluster are set once, in kustomization.yaml's
/// generated ConfigMap, which the proxy and the init container that prepares the kernel both read.
@Suite struct ShippedKustomizationTests {
    /// The generated ConfigMap's literals, as environment variables.
    static func siteEnvironment() throws -> (name: String, variables: [String: String]) {
        let generators = try #require(try Shipped.load("kustomization.yaml")["configMapGenerator"] as? [[String: Any]])
        let site = try #require(generators.first)
        let literals = try #require(site["literals"] as? [String])
        var variables: [String: String] = [:]
        for literal in literals {
            let parts = literal.split(separator: "=", maxSplits: 1).map(String.init)
            try #require(parts.count == 2, "\(literal) is not NAME=value")
            variables[parts[0]] = parts[1]
        }
        return (try #require(site["name"] as? String), variables)
    }

    @Test func theSiteSettingsResolveOverTheShippedConfigFile() throws {
        let (_, variables) = try Self.siteEnvironment()
        #expect(
            Set(variables.keys) == ["IPVS_PROXY_MASTER", "IPVS_PROXY_CLUSTER_CIDR", "IPVS_PROXY_IPVS_STRICT_ARP"])
        let text = try #require((try Shipped.load("04-configmap.yaml")["data"] as? [String: String])?["config.yaml"])
        let file = try ConfigFile.parse(text, path: "04-configmap.yaml")
        let settings = try ProxySettings.resolve([file, try SettingsLayer.environment(variables)])
        #expect(settings.clientConnection.master == variables["IPVS_PROXY_MASTER"])
        #expect(settings.clusterCIDRs.map(\.description) == [variables["IPVS_PROXY_CLUSTER_CIDR"]])
        #expect(settings.strictARP == false)
        // Strict ARP lives in one place: the config file no longer sets it, so the environment decides alone.
        let flipped = variables.merging(["IPVS_PROXY_IPVS_STRICT_ARP": "true"]) { $1 }
        #expect(try ProxySettings.resolve([file, try SettingsLayer.environment(flipped)]).strictARP)
        #expect(!text.contains("ipvs-strict-arp:") && !text.contains("\ncluster-cidr:"))
    }

    /// Both containers take the generated ConfigMap whole, and the init container sets the kernel with the proxy's
    /// own rules from the proxy's own config file: nothing about the kernel is written twice.
    @Test func bothContainersReadTheSameSettings() throws {
        let (name, _) = try Self.siteEnvironment()
        let pod = try Shipped.podSpec()
        let proxy = try #require(
            (pod["containers"] as? [[String: Any]])?.first { $0["name"] as? String == "ipvs-proxy" })
        let kernel = try #require((pod["initContainers"] as? [[String: Any]])?.first)
        for container in [proxy, kernel] {
            let sources = try #require(container["envFrom"] as? [[String: Any]], "\(container["name"] ?? "")")
            #expect(sources.compactMap { ($0["configMapRef"] as? [String: Any])?["name"] as? String } == [name])
            #expect(container["image"] as? String == proxy["image"] as? String)
        }
        let args = try #require(proxy["args"] as? [String])
        let config = try #require(args.firstIndex(of: "--config").map { args[$0 + 1] })
        let script = try #require((kernel["args"] as? [String])?.first)
        #expect(script.contains("ipvs-proxy run --prepare-kernel --config \(config)"))
        #expect(!script.contains("/proc/sys"), "the init container writes no sysctl of its own")
        let images = try #require(try Shipped.load("kustomization.yaml")["images"] as? [[String: Any]])
        #expect(
            images.map { $0["name"] as? String } == [
                (proxy["image"] as? String)?.split(separator: ":").first.map(String.init)
            ])
        #expect(
            (pod["securityContext"] as? [String: Any]).flatMap { $0["seccompProfile"] as? [String: Any] }?["type"]
                as? String == "RuntimeDefault")
    }
}
