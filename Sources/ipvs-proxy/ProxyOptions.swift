import ArgumentParser
import Foundation
import Logging
import Proxy
import Values
import Settings

/// How the proxy programs the kernel. Names follow kube-proxy's where the meaning is the same. Every value is
/// optional here: what is not given comes from the environment, then the config file, then the defaults
/// (`Settings`, where the values are checked).
struct ProxyOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Config file: ipvs-proxy's own (keys are the flag names) or kube-proxy's KubeProxyConfiguration"
                + " (default: IPVS_PROXY_CONFIG).",
            valueName: "file"
        )
    )
    var config: String?

    @Option(
        name: [.customLong("scheduler"), .customLong("ipvs-scheduler")],
        help: ArgumentHelp("\(SettingKeys.scheduler.help) [default: rr]", valueName: "scheduler")
    )
    var scheduler: String?

    @Option(help: ArgumentHelp("\(SettingKeys.syncPeriod.help) [default: 30s]", valueName: "duration"))
    var syncPeriod: String?

    @Option(help: ArgumentHelp("\(SettingKeys.gracefulPeriod.help) [default: 30s]", valueName: "duration"))
    var gracefulPeriod: String?

    @Option(help: ArgumentHelp("\(SettingKeys.interface.help) [default: kube-ipvs0]", valueName: "name"))
    var interface: String?

    @Option(help: ArgumentHelp(SettingKeys.nodePortAddresses.help + " Comma-separated.", valueName: "cidrs|primary"))
    var nodeportAddresses: String?

    @Option(help: ArgumentHelp("\(SettingKeys.nodePortRange.help) [default: 30000-32767]", valueName: "range"))
    var nodePortRange: String?

    @Option(help: ArgumentHelp(SettingKeys.bindAddress.help, valueName: "ip"))
    var bindAddress: String?

    @Option(help: ArgumentHelp(SettingKeys.hostnameOverride.help, valueName: "name"))
    var hostnameOverride: String?

    @Option(help: ArgumentHelp(SettingKeys.proxyName.help, valueName: "name"))
    var proxyName: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. [default: info]")
    var logLevel: String?

    /// kube-proxy's flags accepted without effect, as written (`KubeProxyArguments` puts them here).
    @Option(name: .customLong(KubeProxyArguments.ignoredOption), help: .private)
    var ignoredKubeProxyFlags: [String] = []

    /// The flags given, by setting name (nil: not given).
    var given: [String: String?] {
        [
            SettingKeys.scheduler.name: scheduler, SettingKeys.syncPeriod.name: syncPeriod,
            SettingKeys.gracefulPeriod.name: gracefulPeriod, SettingKeys.interface.name: interface,
            SettingKeys.nodePortAddresses.name: nodeportAddresses, SettingKeys.nodePortRange.name: nodePortRange,
            SettingKeys.bindAddress.name: bindAddress,
            SettingKeys.hostnameOverride.name: hostnameOverride, SettingKeys.proxyName.name: proxyName,
            SettingKeys.logLevel.name: logLevel,
        ]
    }

    /// The config file: `--config`, else IPVS_PROXY_CONFIG.
    func configPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        config ?? environment["IPVS_PROXY_CONFIG"]
    }

    /// Resolves the settings: `extraFlags` (other option groups of the command) and these flags, over the
    /// environment, over the config file (`--config`, else IPVS_PROXY_CONFIG), over the defaults.
    func settings(
        extraFlags: [String: String?] = [:], environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ProxySettings {
        var layers: [SettingsLayer] = []
        if let path = configPath(environment: environment) { layers.append(try ConfigFile.load(path: path)) }
        layers.append(try SettingsLayer.environment(environment))
        layers.append(try SettingsLayer.flags(given.merging(extraFlags) { $1 }, ignored: ignoredKubeProxyFlags))
        return try ProxySettings.resolve(layers)
    }
}

extension ProxySettings {
    /// The log level (always one of the checked choices).
    var level: Logger.Level { Logger.Level(rawValue: logLevel) ?? .info }

    /// This node's name, for Local traffic policies.
    var nodeName: String { (hostnameOverride ?? ProcessInfo.processInfo.hostName).lowercased() }

    /// The prefixes the node's addresses are read within for NodePorts: `--nodeport-addresses`, or none for
    /// `primary`, whose addresses the desired state narrows to the primary IPs as the Node's IPs come and change
    /// (``PrimaryNodePorts``).
    var nodePortPrefixes: [AddressPrefix] { nodePortAddressesPrimary ? [] : nodePortAddresses }

    /// `--nodeport-addresses primary`, with no Node read yet; nil for CIDRs or every address.
    var primaryNodePorts: PrimaryNodePorts? {
        nodePortAddressesPrimary ? PrimaryNodePorts(bindAddress: bindAddress) : nil
    }
}
