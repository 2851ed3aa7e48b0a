import Values

/// The proxy's settings, checked and typed: the outcome of defaults, the config file, the environment and the
/// flags, in that order of increasing precedence. Built by ``resolve(_:)``, which is pure.
public struct ProxySettings: Sendable, Hashable {
    /// `--ipvs-scheduler`.
    public var scheduler: String
    /// `--sync-period`.
    public var syncPeriod: Duration
    /// `--min-sync-period`.
    public var minSyncPeriod: Duration
    /// `--kernel-read-cpu` as a share of one CPU, in (0, 1].
    public var kernelReadShare: Double = 0.01
    /// `--graceful-period`.
    public var gracefulPeriod: Duration
    /// `--interface`.
    public var interface: String
    /// `--nodeport-addresses` as CIDRs; empty means every node address but loopback (and when
    /// ``nodePortAddressesPrimary``).
    public var nodePortAddresses: [AddressPrefix]
    /// `--nodeport-addresses primary`: NodePorts on the node's primary IPs (`NodeAddresses.primaryPrefixes`).
    public var nodePortAddressesPrimary: Bool = false
    /// `--bind-address`, kube-proxy's override of the node's primary IP; nil when not given or unspecified.
    public var bindAddress: IPAddress? = nil
    /// `--node-port-range`.
    public var nodePortRange: ClosedRange<UInt16>
    /// `--hostname-override`.
    public var hostnameOverride: String?
    /// `--proxy-name`.
    public var proxyName: String?
    /// `--log-level` (one of ``SettingKeys/logLevel``'s choices).
    public var logLevel: String
    /// `--cluster-cidr`.
    public var clusterCIDRs: [AddressPrefix]
    /// `--masquerade-all`.
    public var masqueradeAll: Bool
    /// `--allow-empty-source`.
    public var allowEmptySource: Bool
    /// `--ipvs-strict-arp`.
    public var strictARP: Bool
    /// `--ipvs-tcp-timeout`, `--ipvs-tcpfin-timeout`, `--ipvs-udp-timeout` in whole seconds; 0 leaves the
    /// kernel's value.
    public var ipvsTimeouts: IPVSTimeouts
    /// `--ipvs-exclude-cidrs`.
    public var excludeCIDRs: [AddressPrefix]
    /// `--ownership-file`; nil (given empty): the record is kept in memory only.
    public var ownershipFile: String?
    /// `--adopt`.
    public var adopt: Bool
    /// `--healthz-bind-address`; nil turns the server off.
    public var healthzBindAddress: BindAddress?
    /// `--metrics-bind-address`; nil turns the server off.
    public var metricsBindAddress: BindAddress?
    /// `--service-traffic-metrics-interval`; zero turns the per-Service traffic metrics off.
    public var serviceTrafficMetricsInterval: Duration
    /// `--health-check*` and `--health-state-file`.
    public var healthCheck: HealthCheckSettings
    /// `--kubeconfig`, `--master`, `--kube-api-*` (kube-proxy's `clientConnection`).
    public var clientConnection: ClientConnectionSettings
    /// `--conntrack-*` (kube-proxy's `conntrack`): the node's connection-tracking table.
    public var conntrack: ConntrackLimits = ConntrackLimits()
    /// `--config-sync-period`: checked (more than 0), no effect.
    public var configSyncPeriod: Duration = .seconds(900)
    /// Notes from the sources (kube-proxy fields ignored), to log at start.
    public var notes: [String]
    /// Warnings from the sources (unknown kube-proxy fields, kube-proxy flags without effect), to log at start.
    public var warnings: [String] = []

    /// Resolves `layers` (any order: each value carries its origin's precedence) over the defaults.
    public static func resolve(_ layers: [SettingsLayer]) throws -> ProxySettings {
        let merged = SettingsLayer.merged([SettingsLayer.defaults()] + layers)
        let reader = SettingReader(values: merged.values)
        var notes = merged.notes
        let clientConnection = try ClientConnectionSettings.read(reader, notes: &notes)
        let nodePorts = try reader.nodePortAddresses(SettingKeys.nodePortAddresses)
        try checkDetectLocalMode(reader)
        var settings = ProxySettings(
            scheduler: try reader.text(SettingKeys.scheduler) ?? "rr",
            syncPeriod: try reader.positiveDuration(SettingKeys.syncPeriod),
            minSyncPeriod: try reader.duration(SettingKeys.minSyncPeriod),
            gracefulPeriod: try reader.duration(SettingKeys.gracefulPeriod),
            interface: try reader.text(SettingKeys.interface) ?? "kube-ipvs0",
            nodePortAddresses: nodePorts.prefixes,
            nodePortAddressesPrimary: nodePorts.primary,
            bindAddress: try reader.nodeIP(SettingKeys.bindAddress),
            nodePortRange: try reader.portRange(SettingKeys.nodePortRange),
            hostnameOverride: try reader.text(SettingKeys.hostnameOverride),
            proxyName: try reader.text(SettingKeys.proxyName),
            logLevel: try reader.choice(SettingKeys.logLevel),
            clusterCIDRs: try reader.cidrs(SettingKeys.clusterCIDR),
            masqueradeAll: try reader.bool(SettingKeys.masqueradeAll),
            allowEmptySource: try reader.bool(SettingKeys.allowEmptySource),
            strictARP: try reader.bool(SettingKeys.strictARP),
            ipvsTimeouts: IPVSTimeouts(
                tcp: try reader.seconds(SettingKeys.tcpTimeout),
                tcpFin: try reader.seconds(SettingKeys.tcpFinTimeout),
                udp: try reader.seconds(SettingKeys.udpTimeout)),
            excludeCIDRs: try reader.cidrs(SettingKeys.excludeCIDRs),
            ownershipFile: try reader.text(SettingKeys.ownershipFile),
            adopt: try reader.bool(SettingKeys.adopt),
            healthzBindAddress: try reader.bindAddress(SettingKeys.healthzBindAddress, defaultPort: 10256),
            metricsBindAddress: try reader.bindAddress(SettingKeys.metricsBindAddress, defaultPort: 10249),
            serviceTrafficMetricsInterval: try reader.duration(SettingKeys.serviceTrafficMetricsInterval),
            healthCheck: try HealthCheckSettings.read(reader),
            clientConnection: clientConnection,
            notes: notes
        )
        settings.conntrack = try conntrack(reader)
        settings.configSyncPeriod = try reader.positiveDuration(SettingKeys.configSyncPeriod)
        settings.kernelReadShare = try reader.percent(SettingKeys.kernelReadCPU) / 100
        settings.warnings = merged.warnings
        return settings
    }

    static func conntrack(_ reader: SettingReader) throws -> ConntrackLimits {
        func seconds(_ key: SettingKey) throws -> Int { Int(try reader.seconds(key)) }
        return ConntrackLimits(
            maxPerCore: try reader.wholeNumber(SettingKeys.conntrackMaxPerCore),
            min: try reader.wholeNumber(SettingKeys.conntrackMin),
            tcpEstablishedTimeout: try seconds(SettingKeys.conntrackTCPEstablished),
            tcpCloseWaitTimeout: try seconds(SettingKeys.conntrackTCPCloseWait),
            tcpBeLiberal: try reader.bool(SettingKeys.conntrackTCPBeLiberal),
            udpTimeout: try seconds(SettingKeys.conntrackUDPTimeout),
            udpStreamTimeout: try seconds(SettingKeys.conntrackUDPStreamTimeout))
    }

    /// kube-proxy's detectLocalMode: ClusterCIDR is how ipvs-proxy's masquerade rules tell pod traffic (by source
    /// address in `--cluster-cidr`); the other modes are refused rather than silently masquerading differently.
    static func checkDetectLocalMode(_ reader: SettingReader) throws {
        let mode = try reader.choice(SettingKeys.detectLocalMode)
        guard mode != "clustercidr", let raw = reader.raw(SettingKeys.detectLocalMode) else { return }
        let why =
            switch mode {
            case "nodecidr": "the Node's podCIDRs are not read; give them as --cluster-cidr with ClusterCIDR"
            default: "the masquerade rules match source addresses, not input interfaces; give the pods' CIDRs as "
                + "--cluster-cidr with ClusterCIDR"
            }
        throw SettingsError(.unsupported, "\(raw.origin): \(mode) is not supported: \(why)")
    }
}
