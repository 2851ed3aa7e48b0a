import ArgumentParser
import Health
import Proxy
import Settings

/// `run`'s health-check flags: the defaults a Service's `ipvs-proxy.io/health-check*` annotations override.
/// Like ProxyOptions, values not given come from the environment or the config file; `Settings` checks them.
struct HealthCheckOptions: ParsableArguments {
    @Flag(name: .customLong("health-check"), inversion: .prefixedNo, help: ArgumentHelp(SettingKeys.healthCheck.help))
    var enabled: Bool?

    @Option(
        name: .customLong("health-check-annotations"),
        help: ArgumentHelp("\(SettingKeys.healthCheckAnnotations.help) [default: deny]", valueName: "deny|allow"))
    var annotations: String?

    @Option(
        name: .customLong("health-check-cidrs"),
        help: ArgumentHelp(SettingKeys.healthCheckCIDRs.help + " Comma-separated.", valueName: "cidrs"))
    var cidrs: String?

    @Option(
        name: .customLong("health-check-interval"),
        help: ArgumentHelp("\(SettingKeys.healthCheckInterval.help) [default: 5s]", valueName: "duration"))
    var interval: String?

    @Option(
        name: .customLong("health-check-timeout"),
        help: ArgumentHelp("\(SettingKeys.healthCheckTimeout.help) [default: 2s]", valueName: "duration"))
    var timeout: String?

    @Option(
        name: .customLong("health-check-rise"), help: ArgumentHelp("\(SettingKeys.healthCheckRise.help) [default: 2]"))
    var rise: String?

    @Option(
        name: .customLong("health-check-fall"), help: ArgumentHelp("\(SettingKeys.healthCheckFall.help) [default: 3]"))
    var fall: String?

    @Option(name: .customLong("health-check-path"), help: ArgumentHelp(SettingKeys.healthCheckPath.help))
    var path: String?

    @Option(name: .customLong("health-check-host"), help: ArgumentHelp(SettingKeys.healthCheckHost.help))
    var host: String?

    @Option(
        name: .customLong("health-check-status"),
        help: ArgumentHelp("\(SettingKeys.healthCheckStatus.help) [default: 200-399]"))
    var status: String?

    @Option(
        name: .customLong("health-check-udp-payload"), help: ArgumentHelp(SettingKeys.healthCheckUDPPayload.help))
    var udpPayload: String?

    @Option(name: .customLong("health-check-udp-expect"), help: ArgumentHelp(SettingKeys.healthCheckUDPExpect.help))
    var udpExpect: String?

    @Option(
        name: .customLong("health-check-action"),
        help: ArgumentHelp("\(SettingKeys.healthCheckAction.help) [default: remove]"))
    var action: String?

    @Option(
        name: .customLong("health-check-all-down"),
        help: ArgumentHelp("\(SettingKeys.healthCheckAllDown.help) [default: keep]"))
    var allDown: String?

    @Option(
        help: ArgumentHelp(
            "\(SettingKeys.healthStateFile.help) [default: /run/ipvs-proxy/health.json]", valueName: "file"))
    var healthStateFile: String?

    /// The flags given, by setting name.
    var given: [String: String?] {
        [
            SettingKeys.healthCheck.name: enabled.map { String($0) },
            SettingKeys.healthCheckAnnotations.name: annotations, SettingKeys.healthCheckCIDRs.name: cidrs,
            SettingKeys.healthCheckInterval.name: interval, SettingKeys.healthCheckTimeout.name: timeout,
            SettingKeys.healthCheckRise.name: rise, SettingKeys.healthCheckFall.name: fall,
            SettingKeys.healthCheckPath.name: path, SettingKeys.healthCheckHost.name: host,
            SettingKeys.healthCheckStatus.name: status, SettingKeys.healthCheckUDPPayload.name: udpPayload,
            SettingKeys.healthCheckUDPExpect.name: udpExpect, SettingKeys.healthCheckAction.name: action,
            SettingKeys.healthCheckAllDown.name: allDown, SettingKeys.healthStateFile.name: healthStateFile,
        ]
    }
}

extension HealthCheckSettings {
    /// The defaults as the proxy's configuration takes them (the settings are already checked).
    var configuration: HealthCheckConfiguration {
        HealthCheckConfiguration(
            enabled: enabled,
            annotations: allowAnnotations ? .allow : .deny,
            allowedPrefixes: cidrs,
            probe: HealthProbe(
                kind: usesHTTP ? .http(path: path ?? "/", host: host, statuses: statuses) : .tcp,
                interval: interval, timeout: timeout, rise: rise, fall: fall),
            udpPayload: udpPayload.map { Array($0.utf8) },
            udpExpect: udpExpect.map { Array($0.utf8) },
            action: HealthCheckConfiguration.Action(rawValue: action) ?? .remove,
            allDown: HealthCheckConfiguration.AllDownPolicy(rawValue: allDown) ?? .keep
        )
    }
}
