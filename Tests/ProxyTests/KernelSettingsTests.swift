import IPVS
import Logging
import Proxy
import Testing
import TestSupport

/// The kernel settings the proxy sets at start, as kube-proxy's IPVS mode sets them (NewProxier).
@Suite struct KernelSettingsTests {
    static let ipvs = [
        "net.ipv4.vs.conntrack", "net.ipv4.vs.expire_nodest_conn", "net.ipv4.vs.expire_quiescent_template",
        "net.ipv4.ip_forward",
    ]

    /// osrelease text → the version kube-proxy's ParseGeneric reads from it.
    @Test(arguments: [
        ("6.1.0-28-amd64", KernelVersion(6, 1, 0)),
        ("5.9.0", KernelVersion(5, 9)),
        ("5.10.0-rc1", KernelVersion(5, 10, 0)),
        ("4.19.0-generic\n", KernelVersion(4, 19)),
        ("v5.4", KernelVersion(5, 4)),
        (" 3.10.0-1160.el7.x86_64", KernelVersion(3, 10, 0)),
    ])
    func osreleaseIsReadAsKubeProxyReadsIt(text: String, version: KernelVersion) {
        #expect(KernelVersion(osrelease: text) == version)
    }

    @Test(arguments: ["", "6", "linux-6.1", "x.y"])
    func osreleaseWithoutTwoNumbersIsUnknown(text: String) {
        #expect(KernelVersion(osrelease: text) == nil)
    }

    /// Kernel version → what conn_reuse_mode gets: 0 from 4.1 up to 5.9 (not included), left alone from 5.9, and
    /// a warning before 4.1 or when the version is unknown.
    @Test(arguments: [
        ("3.10.0", nil, true),
        ("4.0.9", nil, true),
        ("4.1.0", 0, false),
        ("4.19.0", 0, false),
        ("5.8.18", 0, false),
        ("5.9.0", nil, false),
        ("6.1.0-28-amd64", nil, false),
        ("garbage", nil, true),
    ] as [(String, Int?, Bool)])
    func connReuseModeFollowsTheKernelVersion(osrelease: String, value: Int?, warns: Bool) {
        let (settings, skipped) = KernelSettings.wanted(
            kernel: KernelVersion(osrelease: osrelease), strictARP: false)
        let reuse = "net.ipv4.vs.conn_reuse_mode"
        #expect(settings.first { $0.name == reuse }?.value == value)
        #expect(skipped.contains { $0.name == reuse } == (value == nil))
        #expect(skipped.first { $0.name == reuse }?.warns ?? false == warns)
    }

    @Test func theIPVSSettingsAreAlwaysWantedAndStrictARPOnlyWhenAsked() {
        let plain = KernelSettings.wanted(kernel: KernelVersion(6, 1), strictARP: false).settings
        #expect(plain.map(\.name) == Self.ipvs)
        #expect(plain.allSatisfy { $0.value == 1 })
        let strict = KernelSettings.wanted(kernel: KernelVersion(6, 1), strictARP: true).settings
        #expect(strict.map(\.name) == Self.ipvs + ["net.ipv4.conf.all.arp_ignore", "net.ipv4.conf.all.arp_announce"])
        #expect(strict.suffix(2).map(\.value) == [1, 2])
    }

    /// A kernel with every setting off: each is written, with one info line naming it and its old value.
    @Test func settingsThatDifferAreWrittenWithOneLineEach() {
        let kernel = FakeSysctls(
            [
                "kernel.osrelease": "5.4.0-150-generic", "net.ipv4.vs.conntrack": "0",
                "net.ipv4.vs.conn_reuse_mode": "1",
                "net.ipv4.vs.expire_nodest_conn": "0", "net.ipv4.vs.expire_quiescent_template": "1",
                "net.ipv4.ip_forward": "0", "net.ipv4.conf.all.arp_ignore": "0", "net.ipv4.conf.all.arp_announce": "2",
            ])
        let capture = LogCapture()
        KernelSettings.prepare(strictARP: true, through: kernel, logger: capture.logger(level: .debug))
        #expect(
            kernel.writes == [
                "net.ipv4.vs.conntrack=1", "net.ipv4.vs.conn_reuse_mode=0", "net.ipv4.vs.expire_nodest_conn=1",
                "net.ipv4.ip_forward=1", "net.ipv4.conf.all.arp_ignore=1",
            ])
        let changed = capture.records.filter { $0.message == "kernel setting changed" }
        let written = kernel.writes.map { String($0.split(separator: "=")[0]) }
        #expect(changed.map { $0.metadata["sysctl"] ?? "" } == written)
        #expect(changed.first?.metadata["from"] == "0" && changed.first?.metadata["to"] == "1")
        #expect(capture.atLeast(.warning).isEmpty, "\(capture.records)")
    }

    @Test func settingsAlreadyRightAreNeitherWrittenNorLogged() {
        let kernel = FakeSysctls(
            Dictionary(uniqueKeysWithValues: Self.ipvs.map { ($0, "1") } + [("kernel.osrelease", "6.1.0")]))
        let capture = LogCapture()
        let outcomes = KernelSettings.prepare(strictARP: false, through: kernel, logger: capture.logger())
        #expect(kernel.writes.isEmpty)
        #expect(capture.records.isEmpty, "\(capture.records)")
        #expect(outcomes.filter { if case .unchanged = $0 { true } else { false } }.count == 4)
    }

    /// A setting that cannot be written is a warning naming it and what will not work; the others are still set.
    @Test func aSettingThatCannotBeWrittenIsAWarningNotAFailure() {
        let kernel = FakeSysctls(
            ["kernel.osrelease": "6.1.0", "net.ipv4.vs.conntrack": "0", "net.ipv4.ip_forward": "0"],
            unwritable: ["net.ipv4.vs.conntrack"])
        let capture = LogCapture()
        let outcomes = KernelSettings.prepare(strictARP: false, through: kernel, logger: capture.logger())
        #expect(
            kernel.writes == [
                "net.ipv4.vs.expire_nodest_conn=1", "net.ipv4.vs.expire_quiescent_template=1", "net.ipv4.ip_forward=1",
            ])
        let warnings = capture.atLeast(.warning)
        #expect(warnings.count == 1, "\(capture.records)")
        #expect(warnings.first?.metadata["sysctl"] == "net.ipv4.vs.conntrack")
        #expect(warnings.first?.message.contains("masquerading") == true)
        #expect(warnings.first?.metadata["error"]?.contains("Read-only") == true)
        #expect(
            outcomes.contains {
                if case .failed(let setting, _) = $0 { setting.name == "net.ipv4.vs.conntrack" } else { false }
            })
        // An unreadable setting is written anyway, and its line says it was unreadable.
        #expect(
            capture.records.contains {
                $0.metadata["sysctl"] == "net.ipv4.vs.expire_nodest_conn" && $0.metadata["from"] == "unreadable"
            })
    }

    @Test func anOldOrUnknownKernelWarnsAboutConnReuseModeAndLeavesIt() {
        for osrelease in ["3.10.0-1160.el7.x86_64", "unknown"] {
            let kernel = FakeSysctls(
                Dictionary(uniqueKeysWithValues: Self.ipvs.map { ($0, "1") } + [("kernel.osrelease", osrelease)]))
            let capture = LogCapture()
            KernelSettings.prepare(strictARP: false, through: kernel, logger: capture.logger())
            #expect(kernel.writes.isEmpty)
            let warnings = capture.atLeast(.warning)
            #expect(warnings.count == 1, "\(warnings)")
            #expect(warnings.first?.metadata["sysctl"] == "net.ipv4.vs.conn_reuse_mode")
        }
    }
}
