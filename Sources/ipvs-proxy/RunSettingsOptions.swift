import ArgumentParser
import Settings

/// `run`'s kube-proxy-compatible settings beyond ProxyOptions: kernel tuning, excluded CIDRs, pass pacing and
/// the metrics and health endpoints. Like ProxyOptions, values not given come from the environment or the file.
/// (`--cluster-cidr` and `--masquerade-all` are MasqueradeOptions'; their settings keys exist in `Settings`.)
struct RunSettingsOptions: ParsableArguments {
    @Option(help: ArgumentHelp("\(SettingKeys.minSyncPeriod.help) [default: 0s]", valueName: "duration"))
    var minSyncPeriod: String?

    @Option(help: ArgumentHelp("\(SettingKeys.kernelReadCPU.help) [default: 1]", valueName: "percent"))
    var kernelReadCpu: String?

    @Option(help: ArgumentHelp("\(SettingKeys.tcpTimeout.help) [default: 0s]", valueName: "duration"))
    var ipvsTcpTimeout: String?

    @Option(
        name: .customLong("ipvs-tcpfin-timeout"),
        help: ArgumentHelp("\(SettingKeys.tcpFinTimeout.help) [default: 0s]", valueName: "duration"))
    var ipvsTcpFinTimeout: String?

    @Option(help: ArgumentHelp("\(SettingKeys.udpTimeout.help) [default: 0s]", valueName: "duration"))
    var ipvsUdpTimeout: String?

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(SettingKeys.allowEmptySource.help + " [default: off]"))
    var allowEmptySource: Bool?

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(SettingKeys.strictARP.help + " [default: off]"))
    var ipvsStrictArp: Bool?

    @Option(help: ArgumentHelp(SettingKeys.excludeCIDRs.help + " Comma-separated.", valueName: "cidrs"))
    var ipvsExcludeCidrs: String?

    @Option(
        help: ArgumentHelp(
            "\(SettingKeys.ownershipFile.help) [default: /run/ipvs-proxy/owned.json]", valueName: "path"))
    var ownershipFile: String?

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(SettingKeys.adopt.help + " [default: off]"))
    var adopt: Bool?

    @Option(help: ArgumentHelp("\(SettingKeys.healthzBindAddress.help) [default: 0.0.0.0:10256]", valueName: "address"))
    var healthzBindAddress: String?

    @Option(
        help: ArgumentHelp("\(SettingKeys.metricsBindAddress.help) [default: 127.0.0.1:10249]", valueName: "address"))
    var metricsBindAddress: String?

    @Option(
        help: ArgumentHelp(
            "\(SettingKeys.serviceTrafficMetricsInterval.help) [default: 30s]", valueName: "duration"))
    var serviceTrafficMetricsInterval: String?

    /// The flags given, by setting name.
    var given: [String: String?] {
        [
            SettingKeys.minSyncPeriod.name: minSyncPeriod, SettingKeys.kernelReadCPU.name: kernelReadCpu,
            SettingKeys.tcpTimeout.name: ipvsTcpTimeout,
            SettingKeys.tcpFinTimeout.name: ipvsTcpFinTimeout, SettingKeys.udpTimeout.name: ipvsUdpTimeout,
            SettingKeys.strictARP.name: ipvsStrictArp.map { String($0) },
            SettingKeys.allowEmptySource.name: allowEmptySource.map { String($0) },
            SettingKeys.excludeCIDRs.name: ipvsExcludeCidrs,
            SettingKeys.ownershipFile.name: ownershipFile, SettingKeys.adopt.name: adopt.map { String($0) },
            SettingKeys.healthzBindAddress.name: healthzBindAddress,
            SettingKeys.metricsBindAddress.name: metricsBindAddress,
            SettingKeys.serviceTrafficMetricsInterval.name: serviceTrafficMetricsInterval,
        ]
    }
}
