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
    /// `--health-check*` and `--health-state-file`.
    public var healthCheck: HealthCheckSettings
    /// `--kubeconfig`, `--master`, `--kube-api-*` (kube-proxy's `clientConnection`).
    public var clientConnection: ClientConnectionSettings
    /// Notes from the sources (kube-proxy fields ignored), to log at start.
    public var notes: [String]

    /// Resolves `layers` (any order: each value carries its origin's precedence) over the defaults.
    public static func resolve(_ layers: [SettingsLayer]) throws -> ProxySettings {
        let merged = SettingsLayer.merged([SettingsLayer.defaults()] + layers)
        let reader = SettingReader(values: merged.values)
        var notes = merged.notes
        let clientConnection = try ClientConnectionSettings.read(reader, notes: &notes)
        let nodePorts = try reader.nodePortAddresses(SettingKeys.nodePortAddresses)
        return ProxySettings(
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
            healthCheck: try HealthCheckSettings.read(reader),
            clientConnection: clientConnection,
            notes: notes
        )
    }
}
