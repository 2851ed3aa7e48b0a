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
    public static let kernelReadCPU = SettingKey(
        "kernel-read-cpu", .number, default: "1",
        help: "The percent of one CPU the periodic reads of the kernel's table (the resync, the traffic metrics) "
            + "may take together; a table too large for that is read more slowly (100: no limit).")
    public static let gracefulPeriod = SettingKey(
        "graceful-period", .duration, default: "30s",
        help: "How long a removed endpoint keeps its connections (weight 0) before it is deleted.")
    public static let interface = SettingKey(
        "interface", .text, default: "kube-ipvs0", help: "The dummy interface holding the virtual IPs.")
    public static let nodePortAddresses = SettingKey(
        "nodeport-addresses", .cidrs, default: nil,
        help: "CIDRs of the node addresses NodePorts are served on, or primary: the node's primary IPs "
            + "(default: all but loopback).")
    public static let bindAddress = SettingKey(
        "bind-address", .text, default: nil,
        help: "This node's primary IP, as kube-proxy's --bind-address (for --nodeport-addresses primary; "
            + "0.0.0.0 or :: says nothing).")
    public static let nodePortRange = SettingKey(
        "node-port-range", .portRange, default: "30000-32767",
        help: "The NodePort range (kept for configuration compatibility; ownership follows --ownership-file).")
    public static let hostnameOverride = SettingKey(
        "hostname-override", .text, default: nil,
        help: "This node's name, for Local traffic policies, topology hints and /healthz (default: the host name).")
    public static let proxyName = SettingKey(
        "proxy-name", .text, default: nil,
        help: "Handle only Services labelled service.kubernetes.io/service-proxy-name with this value.")
    public static let logLevel = SettingKey(
        "log-level", .choice, default: "info", help: "Log level.",
        choices: ["trace", "debug", "info", "notice", "warning", "error", "critical"])
    public static let clusterCIDR = SettingKey(
        "cluster-cidr", .cidrs, default: nil,
        help: "The pods' CIDRs; traffic from outside them to cluster IPs is masqueraded.")
    public static let masqueradeAll = SettingKey(
        "masquerade-all", .bool, default: "false", help: "Masquerade all traffic to cluster IPs.")
    public static let allowEmptySource = SettingKey(
        "allow-empty-source", .bool, default: "false",
        help: "Let the first sync delete what the proxy owns when the source holds no Service (otherwise it waits).")
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
    public static let ownershipFile = SettingKey(
        "ownership-file", .text, default: "/run/ipvs-proxy/owned.json",
        help: "Where the proxy records the virtual servers it created and whether it created its link.")
    public static let adopt = SettingKey(
        "adopt", .bool, default: "false",
        help: "Take over virtual servers another program created when a Service wants the same one.")
    public static let healthzBindAddress = SettingKey(
        "healthz-bind-address", .bindAddress, default: "0.0.0.0:10256",
        help: "Where /healthz and /livez are served (empty: off).")
    public static let metricsBindAddress = SettingKey(
        "metrics-bind-address", .bindAddress, default: "127.0.0.1:10249",
        help: "Where /metrics is served in Prometheus text format (empty: off).")
    public static let serviceTrafficMetricsInterval = SettingKey(
        "service-traffic-metrics-interval", .duration, default: "30s",
        help: "How often the per-Service IPVS traffic metrics are read from the kernel (0s: off).")
    public static let healthCheck = SettingKey(
        "health-check", .bool, default: "false",
        help: "Probe the endpoints of every Service (not only those annotated ipvs-proxy.io/health-check: on).")
    public static let healthCheckAnnotations = SettingKey(
        "health-check-annotations", .choice, default: "deny",
        help: "Whether a Service's ipvs-proxy.io/health-check* annotations are honoured (allow) or ignored (deny).",
        choices: ["deny", "allow"])
    public static let healthCheckCIDRs = SettingKey(
        "health-check-cidrs", .cidrs, default: nil,
        help: "The only addresses probes may go to (pod and node CIDRs; default: --cluster-cidr).")
    public static let healthCheckInterval = SettingKey(
        "health-check-interval", .duration, default: "5s", help: "Time between two probes of an endpoint.")
    public static let healthCheckTimeout = SettingKey(
        "health-check-timeout", .duration, default: "2s", help: "How long a probe may take (at most the interval).")
    public static let healthCheckRise = SettingKey(
        "health-check-rise", .count, default: "2", help: "Successes in a row that bring an endpoint back.")
    public static let healthCheckFall = SettingKey(
        "health-check-fall", .count, default: "3", help: "Failures in a row that take an endpoint out.")
    public static let healthCheckPath = SettingKey(
        "health-check-path", .text, default: nil,
        help: "Probe TCP ports with an HTTP GET of this path instead of a TCP connect.")
    public static let healthCheckHost = SettingKey(
        "health-check-host", .text, default: nil, help: "The HTTP probe's Host header (default: the endpoint).")
    public static let healthCheckStatus = SettingKey(
        "health-check-status", .text, default: "200-399", help: "HTTP statuses that count as healthy.")
    public static let healthCheckUDPPayload = SettingKey(
        "health-check-udp-payload", .text, default: nil,
        help: "Probe UDP ports by sending this text (default: UDP ports are not probed).")
    public static let healthCheckUDPExpect = SettingKey(
        "health-check-udp-expect", .text, default: nil,
        help: "Text a UDP reply must contain (\"\" for any reply); unset: only an ICMP error fails the probe.")
    public static let healthCheckAction = SettingKey(
        "health-check-action", .choice, default: "remove",
        help: "What an unhealthy endpoint gets: remove (drained, then deleted) or inhibit (weight 0).",
        choices: ["remove", "inhibit"])
    public static let healthCheckAllDown = SettingKey(
        "health-check-all-down", .choice, default: "keep",
        help: "When all endpoints of a virtual server are unhealthy: keep them all (fail open) or remove them.",
        choices: ["keep", "remove"])
    public static let healthStateFile = SettingKey(
        "health-state-file", .text, default: "/run/ipvs-proxy/health.json",
        help: "Where the health state is written for `ipvs-proxy status` (empty: nowhere).")
    public static let kubeconfig = SettingKey(
        "kubeconfig", .text, default: nil,
        help: "Kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then the in-cluster service account).")
    public static let master = SettingKey(
        "master", .text, default: nil,
        help: "The API server's address, over the kubeconfig's server; alone: no credentials (kube-proxy's --master).")
    public static let kubeAPIQPS = SettingKey(
        "kube-api-qps", .number, default: "5",
        help: "Requests a second to the API server, in bursts of --kube-api-burst (0: 5; negative: no limit).")
    public static let kubeAPIBurst = SettingKey(
        "kube-api-burst", .wholeNumber, default: "10", help: "The burst of requests to the API server (0: 10).")
    public static let kubeAPIContentType = SettingKey(
        "kube-api-content-type", .choice, default: "application/json",
        help: "kube-proxy's content type; the proxy speaks JSON either way (protobuf is accepted and noted).",
        choices: ["application/json", "application/vnd.kubernetes.protobuf"])
    public static let kubeAPIAcceptContentTypes = SettingKey(
        "kube-api-accept-content-types", .text, default: nil,
        help: "kube-proxy's Accept list (comma-separated media types); the proxy asks for application/json.")

    public static let conntrackMaxPerCore = SettingKey(
        "conntrack-max-per-core", .wholeNumber, default: "32768",
        help: "nf_conntrack_max is this times the CPU cores, at least --conntrack-min (0: leave it and the hash size).")
    public static let conntrackMin = SettingKey(
        "conntrack-min", .wholeNumber, default: "131072", help: "The least nf_conntrack_max, whatever the cores.")
    public static let conntrackTCPEstablished = SettingKey(
        "conntrack-tcp-timeout-established", .duration, default: "24h",
        help: "nf_conntrack_tcp_timeout_established (0: leave the kernel's).")
    public static let conntrackTCPCloseWait = SettingKey(
        "conntrack-tcp-timeout-close-wait", .duration, default: "1h",
        help: "nf_conntrack_tcp_timeout_close_wait (0: leave the kernel's).")
    public static let conntrackTCPBeLiberal = SettingKey(
        "conntrack-tcp-be-liberal", .bool, default: "false",
        help: "Set nf_conntrack_tcp_be_liberal=1: out-of-window TCP packets are not marked INVALID.")
    public static let conntrackUDPTimeout = SettingKey(
        "conntrack-udp-timeout", .duration, default: "0s",
        help: "nf_conntrack_udp_timeout, unreplied UDP (0: leave the kernel's).")
    public static let conntrackUDPStreamTimeout = SettingKey(
        "conntrack-udp-timeout-stream", .duration, default: "0s",
        help: "nf_conntrack_udp_timeout_stream, assured UDP (0: leave the kernel's).")
    public static let configSyncPeriod = SettingKey(
        "config-sync-period", .duration, default: "15m",
        help: "kube-proxy's informer resync: checked, no effect (every --sync-period pass re-derives the whole state).")
    public static let detectLocalMode = SettingKey(
        "detect-local-mode", .choice, default: "clustercidr",
        help: "How traffic from pods is told apart: ClusterCIDR (by --cluster-cidr) is the one ipvs-proxy has.",
        choices: ["clustercidr", "nodecidr", "bridgeinterface", "interfacenameprefix"])

    /// All of them, in the order the docs list them.
    public static let all: [SettingKey] = [
        scheduler, syncPeriod, minSyncPeriod, kernelReadCPU, gracefulPeriod, interface, nodePortAddresses, bindAddress,
        nodePortRange,
        hostnameOverride, proxyName, logLevel, clusterCIDR, masqueradeAll, allowEmptySource, strictARP, tcpTimeout,
        tcpFinTimeout,
        udpTimeout, excludeCIDRs, ownershipFile, adopt, healthzBindAddress, metricsBindAddress,
        serviceTrafficMetricsInterval, healthCheck,
        healthCheckAnnotations, healthCheckCIDRs, healthCheckInterval,
        healthCheckTimeout, healthCheckRise, healthCheckFall, healthCheckPath, healthCheckHost, healthCheckStatus,
        healthCheckUDPPayload, healthCheckUDPExpect, healthCheckAction, healthCheckAllDown, healthStateFile,
        kubeconfig, master, kubeAPIQPS, kubeAPIBurst, kubeAPIContentType, kubeAPIAcceptContentTypes,
        conntrackMaxPerCore, conntrackMin, conntrackTCPEstablished, conntrackTCPCloseWait, conntrackTCPBeLiberal,
        conntrackUDPTimeout, conntrackUDPStreamTimeout, configSyncPeriod, detectLocalMode,
    ]

    /// The setting with this name.
    public static func named(_ name: String) -> SettingKey? { byName[name] }

    private static let byName: [String: SettingKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// Environment variables with the prefix that are not settings: the kernel lab's marker.
    public static let reservedEnvironment: Set<String> = ["IPVS_PROXY_LAB", "IPVS_PROXY_CONFIG"]
}
