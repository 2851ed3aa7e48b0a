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
}
