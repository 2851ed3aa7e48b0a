import Foundation
import Testing

@testable import IPVS

@Suite struct SchedulerKernelTests {
    @Test func loadedAndLoadableSchedulersAreOfferedAndHelpersAreNot() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sched-\(UUID().uuidString)")
        let release = "6.1.0-test"
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("modules/\(release)"),
            withIntermediateDirectories: true
        )
        defer { try? FileManager.default.removeItem(at: root) }
        try "ip_vs_rr 16384 1 - Live 0x0\nip_vs 200000 3 ip_vs_rr, Live 0x0\nveth 40000 0 - Live 0x0\n"
            .write(to: root.appendingPathComponent("proc-modules"), atomically: true, encoding: .utf8)
        try """
        kernel/net/netfilter/ipvs/ip_vs_mh.ko: kernel/net/netfilter/ipvs/ip_vs.ko
        kernel/net/netfilter/ipvs/ip_vs_ftp.ko: kernel/net/netfilter/ipvs/ip_vs.ko
        kernel/net/netfilter/ipvs/ip_vs_pe_sip.ko.xz: kernel/net/netfilter/ipvs/ip_vs.ko
        kernel/net/netfilter/ipvs/ip_vs_sh.ko.zst: kernel/net/netfilter/ipvs/ip_vs.ko
        kernel/drivers/net/dummy.ko:
        """.write(to: root.appendingPathComponent("modules/\(release)/modules.dep"), atomically: true, encoding: .utf8)
        try "kernel/net/netfilter/ipvs/ip_vs_wlc.ko\n"
            .write(to: root.appendingPathComponent("modules/\(release)/modules.builtin"), atomically: true, encoding: .utf8)
        let offered = Scheduler.offeredByKernel(
            procModules: root.appendingPathComponent("proc-modules").path,
            modulesDirectory: root.appendingPathComponent("modules").path,
            release: release
        )
        #expect(offered == ["rr", "mh", "sh", "wlc"])
    }

    @Test func nothingVisibleMeansNothingOffered() {
        #expect(Scheduler.offeredByKernel(procModules: "/nonexistent", modulesDirectory: "/nonexistent", release: "x").isEmpty)
    }
}
