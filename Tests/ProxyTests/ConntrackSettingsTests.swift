import IPVS
import Logging
import Proxy
import Testing
import TestSupport
import Values

/// The conntrack table sized and timed as kube-proxy does (`setupConntrack`, `getConntrackMax`, `realConntracker`),
/// through the sysctl seam's fake.
@Suite struct ConntrackSettingsTests {
    static let netfilter = "net.netfilter."

    /// kube-proxy's getConntrackMax: max(maxPerCore × cores, min); maxPerCore 0 leaves the table as it is.
    @Test(arguments: [
        (ConntrackLimits(), 2, 131072),
        (ConntrackLimits(), 8, 262144),
        (ConntrackLimits(maxPerCore: 65536, min: 0), 4, 262144),
        (ConntrackLimits(maxPerCore: 1000, min: 5000), 2, 5000),
        (ConntrackLimits(maxPerCore: 0, min: 5000), 64, nil),
    ] as [(ConntrackLimits, Int, Int?)])
    func tableSizeIsMaxPerCoreTimesCoresAtLeastMin(limits: ConntrackLimits, cores: Int, expected: Int?) {
        #expect(limits.max(cores: cores) == expected)
        let wanted = ConntrackSettings.wanted(limits, cores: cores).first { $0.name.hasSuffix("nf_conntrack_max") }
        #expect(wanted?.value == expected)
    }

    /// Each setting is written when it differs; timeouts of 0 and a false be_liberal are left alone.
    @Test(arguments: [
        (
            ConntrackLimits(), [
                "nf_conntrack_max=131072", "nf_conntrack_tcp_timeout_established=86400",
                "nf_conntrack_tcp_timeout_close_wait=3600", "module.nf_conntrack.parameters.hashsize=32768",
            ]
        ),
        (
            ConntrackLimits(
                maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0, tcpCloseWaitTimeout: 60, tcpBeLiberal: true,
                udpTimeout: 30, udpStreamTimeout: 120),
            // close_wait=60 and udp_timeout=30 already hold their values.
            ["nf_conntrack_tcp_be_liberal=1", "nf_conntrack_udp_timeout_stream=120"]
        ),
        (ConntrackLimits.untouched, []),
    ] as [(ConntrackLimits, [String])])
    func settingsThatDifferAreWritten(limits: ConntrackLimits, writes: [String]) {
        let sysctls = FakeSysctls(
            [
                "net.netfilter.nf_conntrack_max": "65536",
                "net.netfilter.nf_conntrack_tcp_timeout_established": "432000",
                "net.netfilter.nf_conntrack_tcp_timeout_close_wait": "60",
                "net.netfilter.nf_conntrack_tcp_be_liberal": "0", "net.netfilter.nf_conntrack_udp_timeout": "30",
                "net.netfilter.nf_conntrack_udp_timeout_stream": "180",
            ])
        let sysfs = FakeSysctls([ConntrackSettings.hashsize: "16384"])
        let capture = LogCapture()
        ConntrackSettings.apply(limits, cores: 2, sysctls: sysctls, sysfs: sysfs, logger: capture.logger())
        let all = sysctls.writes.map { $0.replacingOccurrences(of: Self.netfilter, with: "") } + sysfs.writes
        #expect(all == writes)
        #expect(capture.atLeast(.warning).isEmpty, "\(capture.records)")
    }

    /// The hash size is raised to a quarter of the table, never lowered, and left alone when unreadable.
    @Test(arguments: [
        (262144, 16384 as Int?, 65536 as Int?),
        (262144, 65536, nil),
        (262144, 131072, nil),
        (262144, nil, nil),
    ])
    func hashSizeIsRaisedToAQuarterOfTheTable(max: Int, current: Int?, expected: Int?) {
        #expect(ConntrackSettings.hashsize(max: max, current: current) == expected)
    }

    /// A read-only /sys (as in many containers) or an unreadable hash size is a warning naming it; the sysctls are
    /// still set.
    @Test func aReadOnlySysIsAWarningNotAFailure() {
        let sysctls = FakeSysctls(["net.netfilter.nf_conntrack_max": "65536"])
        let readOnly = FakeSysctls([ConntrackSettings.hashsize: "16384"], unwritable: [ConntrackSettings.hashsize])
        let capture = LogCapture()
        let limits = ConntrackLimits(tcpEstablishedTimeout: 0, tcpCloseWaitTimeout: 0)
        ConntrackSettings.apply(limits, cores: 2, sysctls: sysctls, sysfs: readOnly, logger: capture.logger())
        #expect(sysctls.writes == ["net.netfilter.nf_conntrack_max=131072"])
        #expect(capture.atLeast(.warning).map { $0.metadata["sysctl"] } == [ConntrackSettings.hashsize])

        let missing = LogCapture()
        ConntrackSettings.apply(limits, cores: 2, sysctls: sysctls, sysfs: FakeSysctls([:]), logger: missing.logger())
        #expect(missing.atLeast(.warning).map { $0.metadata["sysctl"] } == [ConntrackSettings.hashsize])
    }
}
