import IPVS
import Logging
import Values

/// The node's connection-tracking table, sized and timed as kube-proxy does at start (`setupConntrack` in
/// server_linux.go, `realConntracker` in conntrack.go):
///
/// - `net.netfilter.nf_conntrack_max` = `max(maxPerCore × cores, min)` when `maxPerCore` is above 0, and then the
///   table's hash size (`/sys/module/nf_conntrack/parameters/hashsize`) raised to a quarter of it when it is
///   smaller (never lowered: the kernel only takes it in the initial network namespace, and a smaller table
///   is not worth a failure);
/// - `nf_conntrack_tcp_timeout_established`, `nf_conntrack_tcp_timeout_close_wait`, `nf_conntrack_udp_timeout`,
///   `nf_conntrack_udp_timeout_stream` when above 0; `nf_conntrack_tcp_be_liberal=1` when asked.
///
/// Each is written only when it differs. As for ``KernelSettings``, what cannot be written is a warning, not a
/// refusal to start (kube-proxy only tolerates a read-only /sys).
public enum ConntrackSettings {
    /// Where the hash size is, as a name ``ProcSysctls`` rooted at `/sys` turns into its path.
    public static let hashsize = "module.nf_conntrack.parameters.hashsize"
    /// The root of ``hashsize``.
    public static let sysfsRoot = "/sys"

    /// The sysctls to hold for `limits` on a node with `cores` usable CPUs.
    public static func wanted(_ limits: ConntrackLimits, cores: Int) -> [KernelSettings.Setting] {
        var settings: [KernelSettings.Setting] = []
        if let max = limits.max(cores: cores) {
            settings.append(
                .init("net.netfilter.nf_conntrack_max", max, without: "the connection-tracking table keeps its size"))
        }
        let timeouts: [(String, Int)] = [
            ("nf_conntrack_tcp_timeout_established", limits.tcpEstablishedTimeout),
            ("nf_conntrack_tcp_timeout_close_wait", limits.tcpCloseWaitTimeout),
        ]
        for (name, seconds) in timeouts where seconds > 0 {
            settings.append(.init("net.netfilter." + name, seconds, without: "the kernel's timeout stays"))
        }
        if limits.tcpBeLiberal {
            settings.append(
                .init(
                    "net.netfilter.nf_conntrack_tcp_be_liberal", 1,
                    without: "out-of-window TCP packets are still marked INVALID"))
        }
        let udp: [(String, Int)] = [
            ("nf_conntrack_udp_timeout", limits.udpTimeout),
            ("nf_conntrack_udp_timeout_stream", limits.udpStreamTimeout),
        ]
        for (name, seconds) in udp where seconds > 0 {
            settings.append(.init("net.netfilter." + name, seconds, without: "the kernel's timeout stays"))
        }
        return settings
    }

    /// The hash size to write for a table of `max` entries when it now holds `current` (nil: unreadable, so
    /// left alone, as kube-proxy fails on it): a quarter of `max` when `current` is smaller, else nil.
    public static func hashsize(max: Int, current: Int?) -> Int? {
        guard let current, current < max / 4 else { return nil }
        return max / 4
    }

    /// Applies `limits` through `sysctls` (/proc/sys) and `sysfs` (/sys), logs as ``KernelSettings/log(_:logger:)``
    /// does, and returns the outcomes (the hash size last, when it was to change). Blocks.
    @discardableResult
    public static func apply(
        _ limits: ConntrackLimits, cores: Int, sysctls: any SysctlAccess, sysfs: any SysctlAccess, logger: Logger
    ) -> [KernelSettings.Outcome] {
        var outcomes = KernelSettings.apply(wanted(limits, cores: cores), through: sysctls)
        if let max = limits.max(cores: cores) {
            let current = (try? sysfs.read(hashsize)).flatMap { Int($0) }
            if let size = hashsize(max: max, current: current) {
                outcomes += KernelSettings.apply(
                    [.init(hashsize, size, without: "the table's hash buckets stay few for its size")], through: sysfs)
            } else if current == nil {
                outcomes.append(
                    .skipped(.init(name: hashsize, reason: "unreadable (nf_conntrack not loaded?)", warns: true)))
            }
        }
        KernelSettings.log(outcomes, logger: logger)
        return outcomes
    }
}
