/// Every flag kube-proxy takes (`cmd/kube-proxy/app/options.go`, its OS flags and the logging flags of
/// component-base), with what ipvs-proxy does with it: the one list the command line is translated by
/// (``KubeProxyArguments``) and the docs' compatibility table is checked against.
public struct KubeProxyFlag: Sendable, Hashable {
    /// What happens to the flag here.
    public enum Disposition: Sendable, Hashable {
        /// The setting (or command-line option) of that name, same meaning; `kind` says what values it takes.
        case setting(String)
        /// Only on the command line: `--config`, `--cleanup`.
        case command(String)
        /// `-v`, `--v`: klog's verbosity, as `--log-level` (0-3 info, 4-5 debug, 6 and more trace).
        case verbosity
        /// `--healthz-port`, `--metrics-port` (deprecated in kube-proxy): the port of that setting's address on
        /// `host`; 0 turns the server off.
        case port(setting: String, host: String)
        /// `--proxy-mode`: `ipvs` (or empty) is what ipvs-proxy is; another mode is warned about.
        case proxyMode
        /// Accepted with its value, no effect, named in one warning at start with this reason.
        case warned(String)
        /// Refused with this reason: the flag asks for something ipvs-proxy does not do, and running anyway would
        /// do something else than asked.
        case refused(String)
    }

    /// The name without dashes (`-v` is `v`).
    public var name: String
    /// True when pflag takes it as a boolean: `--flag`, `--flag=true|false`, never a separate value.
    public var isBool: Bool
    /// What happens to it.
    public var disposition: Disposition
    /// A value the docs test gives it.
    public var sample: String

    init(_ name: String, bool: Bool = false, _ disposition: Disposition, sample: String = "") {
        self.name = name
        self.isBool = bool
        self.disposition = disposition
        self.sample = bool ? "true" : sample
    }
}

extension KubeProxyFlag {
    static let logging = "logging is ipvs-proxy's own (--log-level), not klog's"
    static let iptables = "ipvs-proxy writes no iptables rules (its masquerading is one nftables table)"
    static let windows = "a Windows (winkernel) setting"
    static let detectLocal =
        "only for --detect-local-mode BridgeInterface or InterfaceNamePrefix, which ipvs-proxy refuses"

    /// All of kube-proxy's flags, in options.go's order.
    public static let all: [KubeProxyFlag] = [
        .init("config", .command("config"), sample: "/etc/kube-proxy/config.conf"),
        .init(
            "write-config-to",
            .refused(
                "ipvs-proxy has no default KubeProxyConfiguration to write; its defaults are in docs/configuration.md"),
            sample: "/tmp/kube-proxy.yaml"),
        .init("cleanup", bool: true, .command("cleanup")),
        .init(
            "feature-gates", .warned("kube-proxy's feature gates do not apply; ipvs-proxy has none"),
            sample: "TopologyAwareHints=true"),
        .init("kubeconfig", .setting("kubeconfig"), sample: "/var/lib/kube-proxy/kubeconfig.conf"),
        .init("master", .setting("master"), sample: "https://10.0.0.1:6443"),
        .init(
            "kube-api-content-type", .setting("kube-api-content-type"), sample: "application/vnd.kubernetes.protobuf"),
        .init("kube-api-burst", .setting("kube-api-burst"), sample: "20"),
        .init("kube-api-qps", .setting("kube-api-qps"), sample: "10"),
        .init("hostname-override", .setting("hostname-override"), sample: "node-1"),
        .init("bind-address", .setting("bind-address"), sample: "192.168.1.5"),
        .init("healthz-bind-address", .setting("healthz-bind-address"), sample: "0.0.0.0:10256"),
        .init("metrics-bind-address", .setting("metrics-bind-address"), sample: "0.0.0.0:10249"),
        .init(
            "bind-address-hard-fail", bool: true,
            .warned("an address that cannot be bound is logged and its server left off, never fatal")),
        .init("profiling", bool: true, .warned("ipvs-proxy serves no /debug/pprof")),
        .init(
            "show-hidden-metrics-for-version", .warned("ipvs-proxy hides no deprecated metric"), sample: "1.30"),
        .init(
            "init-only", bool: true,
            .refused("ipvs-proxy has no separate privileged initialisation; run it with CAP_NET_ADMIN")),
        .init("proxy-mode", .proxyMode, sample: "ipvs"),
        .init("iptables-masquerade-bit", .warned(iptables), sample: "14"),
        .init("masquerade-all", bool: true, .setting("masquerade-all")),
        .init("iptables-localhost-nodeports", bool: true, .warned(iptables)),
        .init("iptables-sync-period", .warned("iptables mode only; --ipvs-sync-period is the IPVS one"), sample: "30s"),
        .init(
            "iptables-min-sync-period", .warned("iptables mode only; --ipvs-min-sync-period is the IPVS one"),
            sample: "1s"),
        .init("ipvs-sync-period", .setting("sync-period"), sample: "45s"),
        .init("ipvs-min-sync-period", .setting("min-sync-period"), sample: "2s"),
        .init("ipvs-scheduler", .setting("ipvs-scheduler"), sample: "wrr"),
        .init("ipvs-exclude-cidrs", .setting("ipvs-exclude-cidrs"), sample: "192.168.50.0/24"),
        .init("ipvs-strict-arp", bool: true, .setting("ipvs-strict-arp")),
        .init("ipvs-tcp-timeout", .setting("ipvs-tcp-timeout"), sample: "900s"),
        .init("ipvs-tcpfin-timeout", .setting("ipvs-tcpfin-timeout"), sample: "30s"),
        .init("ipvs-udp-timeout", .setting("ipvs-udp-timeout"), sample: "60s"),
        .init("detect-local-mode", .setting("detect-local-mode"), sample: "ClusterCIDR"),
        .init("pod-bridge-interface", .warned(detectLocal), sample: "cbr0"),
        .init("pod-interface-name-prefix", .warned(detectLocal), sample: "veth"),
        .init("cluster-cidr", .setting("cluster-cidr"), sample: "10.244.0.0/16"),
        .init("nodeport-addresses", .setting("nodeport-addresses"), sample: "primary"),
        .init(
            "oom-score-adj", .warned("ipvs-proxy leaves its OOM score to the kubelet (set it in the pod's QoS)"),
            sample: "-999"),
        .init("conntrack-max-per-core", .setting("conntrack-max-per-core"), sample: "65536"),
        .init("conntrack-min", .setting("conntrack-min"), sample: "262144"),
        .init("conntrack-tcp-timeout-established", .setting("conntrack-tcp-timeout-established"), sample: "12h"),
        .init("conntrack-tcp-timeout-close-wait", .setting("conntrack-tcp-timeout-close-wait"), sample: "30m"),
        .init("conntrack-tcp-be-liberal", bool: true, .setting("conntrack-tcp-be-liberal")),
        .init("conntrack-udp-timeout", .setting("conntrack-udp-timeout"), sample: "30s"),
        .init("conntrack-udp-timeout-stream", .setting("conntrack-udp-timeout-stream"), sample: "120s"),
        .init("config-sync-period", .setting("config-sync-period"), sample: "10m"),
        .init("healthz-port", .port(setting: "healthz-bind-address", host: "0.0.0.0"), sample: "10266"),
        .init("metrics-port", .port(setting: "metrics-bind-address", host: "127.0.0.1"), sample: "10259"),
        // logsapi.AddFlags
        .init("logging-format", .warned(logging), sample: "json"),
        .init("log-flush-frequency", .warned(logging), sample: "5s"),
        .init("v", .verbosity, sample: "4"),
        .init("vmodule", .warned(logging), sample: "proxier=4"),
        .init("log-json-split-stream", bool: true, .warned(logging)),
        .init("log-json-info-buffer-size", .warned(logging), sample: "0"),
        .init("log-text-split-stream", bool: true, .warned(logging)),
        .init("log-text-info-buffer-size", .warned(logging), sample: "0"),
        // addOSFlags on Windows
        .init("windows-service", bool: true, .warned(windows)),
        .init("windows-priorityclass", .warned(windows), sample: "NORMAL_PRIORITY_CLASS"),
        .init("source-vip", .warned(windows), sample: "10.0.0.5"),
        .init("network-name", .warned(windows), sample: "l2bridge"),
        .init("enable-dsr", bool: true, .warned(windows)),
        .init("root-hnsendpoint-name", .warned(windows), sample: "cbr0"),
        .init("forward-healthcheck-vip", bool: true, .warned(windows)),
    ]

    /// The flag of that name (without dashes).
    public static func named(_ name: String) -> KubeProxyFlag? { byName[name] }

    private static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// klog's verbosity as a log level: 0-3 info, 4-5 debug, 6 and more trace (kube-proxy logs its per-sync
    /// details at 4 and its per-object traces at 6 and above). Nil when not a whole number.
    public static func logLevel(verbosity text: String) -> String? {
        guard let level = Int(text), level >= 0 else { return nil }
        return level >= 6 ? "trace" : level >= 4 ? "debug" : "info"
    }

    /// pflag's booleans (Go's strconv.ParseBool).
    public static func bool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "true", "TRUE", "True": true
        case "0", "f", "F", "false", "FALSE", "False": false
        default: nil
        }
    }

    /// The one warning for the flags accepted without effect (`given` as they were written, each once), naming
    /// each with its reason; nil when there are none.
    public static func warning(ignoring given: [String]) -> String? {
        guard !given.isEmpty else { return nil }
        let parts = given.map { written -> String in
            let name = String(written.drop { $0 == "-" }.prefix { $0 != "=" })
            switch named(name)?.disposition {
            case .warned(let reason): return "\(written) (\(reason))"
            case .proxyMode: return "\(written) (ipvs-proxy programs IPVS whatever the mode)"
            default: return written
            }
        }
        return "kube-proxy flags accepted without effect: " + parts.joined(separator: "; ")
    }
}
