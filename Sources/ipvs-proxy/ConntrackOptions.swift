import ArgumentParser
import Settings

/// `run`'s conntrack flags, kube-proxy's `--conntrack-*`: the node's connection-tracking table, set at start as
/// kube-proxy sets it (`ConntrackSettings`). Like ProxyOptions, values not given come from the environment or the
/// file.
struct ConntrackOptions: ParsableArguments {
    @Option(help: ArgumentHelp("\(SettingKeys.conntrackMaxPerCore.help) [default: 32768]", valueName: "count"))
    var conntrackMaxPerCore: String?

    @Option(help: ArgumentHelp("\(SettingKeys.conntrackMin.help) [default: 131072]", valueName: "count"))
    var conntrackMin: String?

    @Option(help: ArgumentHelp("\(SettingKeys.conntrackTCPEstablished.help) [default: 24h]", valueName: "duration"))
    var conntrackTcpTimeoutEstablished: String?

    @Option(help: ArgumentHelp("\(SettingKeys.conntrackTCPCloseWait.help) [default: 1h]", valueName: "duration"))
    var conntrackTcpTimeoutCloseWait: String?

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(SettingKeys.conntrackTCPBeLiberal.help + " [default: off]"))
    var conntrackTcpBeLiberal: Bool?

    @Option(help: ArgumentHelp("\(SettingKeys.conntrackUDPTimeout.help) [default: 0s]", valueName: "duration"))
    var conntrackUdpTimeout: String?

    @Option(help: ArgumentHelp("\(SettingKeys.conntrackUDPStreamTimeout.help) [default: 0s]", valueName: "duration"))
    var conntrackUdpTimeoutStream: String?

    @Option(help: ArgumentHelp("\(SettingKeys.configSyncPeriod.help) [default: 15m]", valueName: "duration"))
    var configSyncPeriod: String?

    @Option(help: ArgumentHelp("\(SettingKeys.detectLocalMode.help) [default: ClusterCIDR]", valueName: "mode"))
    var detectLocalMode: String?

    /// The flags given, by setting name.
    var given: [String: String?] {
        [
            SettingKeys.conntrackMaxPerCore.name: conntrackMaxPerCore, SettingKeys.conntrackMin.name: conntrackMin,
            SettingKeys.conntrackTCPEstablished.name: conntrackTcpTimeoutEstablished,
            SettingKeys.conntrackTCPCloseWait.name: conntrackTcpTimeoutCloseWait,
            SettingKeys.conntrackTCPBeLiberal.name: conntrackTcpBeLiberal.map { String($0) },
            SettingKeys.conntrackUDPTimeout.name: conntrackUdpTimeout,
            SettingKeys.conntrackUDPStreamTimeout.name: conntrackUdpTimeoutStream,
            SettingKeys.configSyncPeriod.name: configSyncPeriod, SettingKeys.detectLocalMode.name: detectLocalMode,
        ]
    }
}
