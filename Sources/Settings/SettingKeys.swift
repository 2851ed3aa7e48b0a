/// Every setting of `ipvs-proxy run` that the config file and the environment can also give. Names are
/// kube-proxy's flags where the meaning is the same.
public enum SettingKeys {
    public static let scheduler = SettingKey(
        "ipvs-scheduler", .text, default: "rr",
        help: "Default IPVS scheduler; a Service may choose another with the ipvs-proxy.io/scheduler annotation.")
    public static let syncPeriod = SettingKey(
        "sync-period", .duration, default: "30s", help: "How often the kernel is re-read and fully reconciled.")
    public static let minSyncPeriod = SettingKey(
        "min-sync-period", .duration, default: "0s",
        help: "The least time between two passes; changes arriving sooner are taken together in the next one.")
    public static let gracefulPeriod = SettingKey(
        "graceful-period", .duration, default: "30s",
        help: "How long a removed endpoint keeps its connections (weight 0) before it is deleted.")
    public static let interface = SettingKey(
        "interface", .text, default: "kube-ipvs0", help: "The dummy interface holding the virtual IPs.")
    public static let nodePortAddresses = SettingKey(
        "nodeport-addresses", .cidrs, default: nil,
        help: "CIDRs of the node addresses NodePorts are served on (default: all but loopback).")
    public static let nodePortRange = SettingKey(
        "node-port-range", .portRange, default: "30000-32767",
        help: "The NodePort range: virtual servers on node addresses with these ports are the proxy's.")
    public static let hostnameOverride = SettingKey(
        "hostname-override", .text, default: nil,
        help: "This node's name, for Local traffic policies (default: the host name).")
    public static let proxyName = SettingKey(
        "proxy-name", .text, default: nil,
        help: "Handle only Services labelled service.kubernetes.io/service-proxy-name with this value.")
    public static let logLevel = SettingKey(
        "log-level", .choice, default: "info", help: "Log level.",
        choices: ["trace", "debug", "info", "notice", "warning", "error", "critical"])
    public static let clusterCIDR = SettingKey(
        "cluster-cidr", .cidrs, default: nil,
        help: "The pods' CIDRs; traffic from outside them to Services is masqueraded.")
    public static let masqueradeAll = SettingKey(
        "masquerade-all", .bool, default: "false", help: "Masquerade all traffic to Services.")
    public static let strictARP = SettingKey(
        "ipvs-strict-arp", .bool, default: "false",
        help: "Set arp_ignore=1 and arp_announce=2 so the node does not answer ARP for the VIPs on kube-ipvs0.")
    public static let tcpTimeout = SettingKey(
        "ipvs-tcp-timeout", .duration, default: "0s",
        help: "Idle timeout of IPVS TCP connections (0: leave the kernel's).")
    public static let tcpFinTimeout = SettingKey(
        "ipvs-tcpfin-timeout", .duration, default: "0s",
        help: "Timeout of IPVS TCP connections after a FIN (0: leave the kernel's).")
    public static let udpTimeout = SettingKey(
        "ipvs-udp-timeout", .duration, default: "0s", help: "Timeout of IPVS UDP entries (0: leave the kernel's).")
    public static let excludeCIDRs = SettingKey(
        "ipvs-exclude-cidrs", .cidrs, default: nil,
        help: "Virtual servers with an address in these CIDRs are never added, changed or deleted.")
    public static let healthzBindAddress = SettingKey(
        "healthz-bind-address", .bindAddress, default: "0.0.0.0:10256",
        help: "Where /healthz and /livez are served (empty: off).")
    public static let metricsBindAddress = SettingKey(
        "metrics-bind-address", .bindAddress, default: "127.0.0.1:10249",
        help: "Where /metrics is served in Prometheus text format (empty: off).")

    /// All of them, in the order the docs list them.
    public static let all: [SettingKey] = [
        scheduler, syncPeriod, minSyncPeriod, gracefulPeriod, interface, nodePortAddresses, nodePortRange,
        hostnameOverride, proxyName, logLevel, clusterCIDR, masqueradeAll, strictARP, tcpTimeout, tcpFinTimeout,
        udpTimeout, excludeCIDRs, healthzBindAddress, metricsBindAddress,
    ]

    /// The setting with this name.
    public static func named(_ name: String) -> SettingKey? { byName[name] }

    private static let byName: [String: SettingKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// Environment variables with the prefix that are not settings: the kernel lab's marker.
    public static let reservedEnvironment: Set<String> = ["IPVS_PROXY_LAB", "IPVS_PROXY_CONFIG"]
}
