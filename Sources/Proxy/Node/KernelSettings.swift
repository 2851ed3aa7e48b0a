import IPVS
import Logging

/// The kernel settings the proxy sets at start, decided as kube-proxy's IPVS mode decides them (`NewProxier`):
///
/// - `net.ipv4.vs.conntrack=1`: IPVS keeps conntrack entries, which masquerading needs.
/// - `net.ipv4.vs.conn_reuse_mode=0` on kernels from 4.1 (where the setting appeared) up to, not including, 5.9
///   (where reusing a source port no longer stalls a connection for a second, kubernetes issue 93297); on 5.9 and
///   later it is left as it is, and before 4.1 it cannot be set (a warning says so).
/// - `net.ipv4.vs.expire_nodest_conn=1`: a connection to a deleted real server is dropped, not black-holed.
/// - `net.ipv4.vs.expire_quiescent_template=1`: persistence templates of a weight-0 real server expire.
/// - `net.ipv4.ip_forward=1`: the node routes to the real servers.
/// - With strict ARP: `net.ipv4.conf.all.arp_ignore=1` and `arp_announce=2`, so the VIPs on the dummy link are
///   not announced.
///
/// ``wanted(kernel:strictARP:)`` is pure; ``apply(_:through:)`` reads and writes through a ``SysctlAccess``, so the
/// whole decision is tested with a fake. Unlike kube-proxy, a setting that cannot be written is a warning, not a
/// refusal to start: the proxy still serves, and the warning says what will not work.
public enum KernelSettings {
    /// One setting to hold a value.
    public struct Setting: Sendable, Hashable {
        /// The dotted name.
        public var name: String
        /// The value wanted.
        public var value: Int
        /// What goes wrong without it, for the warning when it cannot be set.
        public var without: String

        /// A setting.
        public init(_ name: String, _ value: Int, without: String) {
            self.name = name
            self.value = value
            self.without = without
        }
    }

    /// A setting not set, and why.
    public struct Skipped: Sendable, Hashable {
        /// The dotted name.
        public var name: String
        /// Why it is left alone.
        public var reason: String
        /// True when the operator should hear of it (the kernel cannot take the value the proxy needs).
        public var warns: Bool
    }

    /// What happened to one setting.
    public enum Outcome: Sendable, Hashable {
        /// It already held the value.
        case unchanged(Setting)
        /// It held `from` (nil when it could not be read) and now holds the value.
        case changed(Setting, from: String?)
        /// It could not be written; `error` says why.
        case failed(Setting, error: String)
        /// It was left alone.
        case skipped(Skipped)
    }

    /// The kernel that first has net.ipv4.vs.conn_reuse_mode (kube-proxy's IPVSConnReuseModeMinSupportedKernelVersion).
    public static let connReuseModeMinimum = KernelVersion(4, 1)
    /// The kernel where conn_reuse_mode stopped needing 0 (kube-proxy's IPVSConnReuseModeFixedKernelVersion).
    public static let connReuseModeFixed = KernelVersion(5, 9)
    /// Where the kernel's version is read.
    public static let osrelease = "kernel.osrelease"

    /// The settings to hold, and those left alone, for a kernel of version `kernel` (nil: unknown).
    public static func wanted(kernel: KernelVersion?, strictARP: Bool) -> (settings: [Setting], skipped: [Skipped]) {
        var settings = [
            Setting(
                Sysctls.conntrack.name, 1,
                without: "masquerading does not apply to IPVS connections (no conntrack entries)")
        ]
        var skipped: [Skipped] = []
        let reuse = Sysctls.connReuseMode.name
        if let kernel {
            if kernel < connReuseModeMinimum {
                skipped.append(
                    Skipped(
                        name: reuse,
                        reason: "kernel \(kernel) is older than \(connReuseModeMinimum), which introduced it",
                        warns: true))
            } else if kernel >= connReuseModeFixed {
                skipped.append(
                    Skipped(
                        name: reuse, reason: "kernel \(kernel) is \(connReuseModeFixed) or later: left as it is",
                        warns: false))
            } else {
                settings.append(
                    Setting(
                        reuse, 0,
                        without: "a new connection reusing a stale entry loses its first packet and waits a second"
                            + " (kubernetes issue 70747)"))
            }
        } else {
            skipped.append(
                Skipped(name: reuse, reason: "the kernel's version is unknown (\(osrelease) unreadable)", warns: true))
        }
        settings += [
            Setting(
                Sysctls.expireNodestConn.name, 1,
                without: "connections to a removed endpoint hang until they time out instead of being reset"),
            Setting(
                Sysctls.expireQuiescentTemplate.name, 1,
                without: "session affinity keeps clients on a drained endpoint until its template times out"),
            Setting(Sysctls.ipForward.name, 1, without: "the node does not forward to endpoints on other hosts"),
        ]
        if strictARP {
            settings += [
                Setting(Sysctls.arpIgnore.name, 1, without: "the node may answer ARP for the VIPs on the dummy link"),
                Setting(Sysctls.arpAnnounce.name, 2, without: "the node may announce the VIPs in its ARP requests"),
            ]
        }
        return (settings, skipped)
    }

    /// Reads each setting and writes those that differ. Blocks (through `access`); never throws: what cannot be
    /// written is a `.failed` outcome.
    public static func apply(_ settings: [Setting], through access: any SysctlAccess) -> [Outcome] {
        settings.map { setting in
            let before = try? access.read(setting.name)
            if before == String(setting.value) { return .unchanged(setting) }
            do {
                try access.write(setting.name, String(setting.value))
                return .changed(setting, from: before)
            } catch {
                return .failed(setting, error: "\(error)")
            }
        }
    }

    /// Reads the kernel's version, decides, applies and logs (``log(_:logger:)``). Blocks.
    @discardableResult
    public static func prepare(strictARP: Bool, through access: any SysctlAccess, logger: Logger) -> [Outcome] {
        let kernel = (try? access.read(osrelease)).flatMap { KernelVersion(osrelease: $0) }
        let (settings, skipped) = wanted(kernel: kernel, strictARP: strictARP)
        let outcomes = skipped.map(Outcome.skipped) + apply(settings, through: access)
        log(outcomes, logger: logger)
        return outcomes
    }

    /// One line per setting that changed (info) or could not be set (warning); one per setting left alone
    /// (warning when the proxy needed it, debug otherwise). Nothing for a setting that already held its value.
    public static func log(_ outcomes: [Outcome], logger: Logger) {
        for outcome in outcomes {
            switch outcome {
            case .unchanged: continue
            case .changed(let setting, let from):
                logger.info(
                    "kernel setting changed",
                    metadata: [
                        "sysctl": "\(setting.name)", "from": "\(from ?? "unreadable")", "to": "\(setting.value)",
                    ])
            case .failed(let setting, let error):
                logger.warning(
                    "kernel setting could not be set: \(setting.without)",
                    metadata: ["sysctl": "\(setting.name)", "wanted": "\(setting.value)", "error": "\(error)"])
            case .skipped(let skipped) where skipped.warns:
                logger.warning(
                    "kernel setting not set", metadata: ["sysctl": "\(skipped.name)", "reason": "\(skipped.reason)"])
            case .skipped(let skipped):
                logger.debug(
                    "kernel setting left as it is",
                    metadata: ["sysctl": "\(skipped.name)", "reason": "\(skipped.reason)"])
            }
        }
    }
}
