import Foundation
import Testing

/// The image `scripts/image` builds, run as a node would run it: its layout unpacked by an independent OCI tool
/// (umoci, which checks every digest), and the image's own binary started from that root filesystem (chroot, with
/// the guest's /proc, /sys and /dev) against the lab's kernel. Its libraries, its nft and its kmod are the image's;
/// only the kernel is shared. `scripts/test` builds the image before the lab runs; by hand: `scripts/image`.
@Suite(.serialized, Lab.only) struct ImageLabTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let layout = root.appendingPathComponent(".build/image/ipvs-proxy.oci").path
    static let interface = "ipvsproxy-img"
    /// The examples' TCP virtual servers (manifests/examples: web, web-sticky, echo).
    static let services: [(vip: String, port: UInt16)] = [("10.96.0.10", 80), ("10.96.0.11", 80), ("10.96.0.12", 7)]

    /// The unpacked image, with the guest's kernel interfaces bound in; removed by `close()`.
    struct Unpacked {
        let directory: String
        var rootfs: String { directory + "/rootfs" }

        init() throws {
            directory = "/tmp/image-lab-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let tags = try LabShell.run("umoci", ["ls", "--layout", ImageLabTests.layout])
            let tag = try #require(
                tags.stdout.split(separator: "\n").first.map(String.init),
                "no image at \(ImageLabTests.layout) (run scripts/image): \(tags.stderr)")
            let unpack = try LabShell.run(
                "umoci", ["raw", "unpack", "--image", "\(ImageLabTests.layout):\(tag)", rootfs])
            try #require(unpack.status == 0, "umoci raw unpack: \(unpack.stderr)")
            for mount in ["proc", "sys", "dev"] {
                let bound = try LabShell.run("mount", ["--bind", "/\(mount)", "\(rootfs)/\(mount)"])
                try #require(bound.status == 0, "mount --bind /\(mount): \(bound.stderr)")
            }
        }

        /// The image's own ipvs-proxy with `arguments`, in the image's root, with `environment` added.
        func proxy(_ arguments: [String], environment: [String] = []) throws -> LabShell.Output {
            try LabShell.run("env", environment + ["chroot", rootfs, "/usr/local/bin/ipvs-proxy"] + arguments)
        }

        func close() {
            for mount in ["dev", "sys", "proc"] { _ = try? LabShell.run("umount", ["-l", "\(rootfs)/\(mount)"]) }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test func theImagesBinaryProgramsTheExamplesFromItsOwnRootFilesystem() throws {
        try LabShell.prepareNetwork()
        let image = try Unpacked()
        defer { image.close() }
        let version = try image.proxy(["--version"])
        #expect(version.status == 0 && !version.stdout.isEmpty, "its libraries load: \(version.stderr)")

        // The init container's job, by the image's binary: the sysctls as the proxy's rules want them, strict ARP
        // from the environment as the kustomization's ConfigMap gives it.
        let saved = try [
            "net.ipv4.vs.conntrack", "net.ipv4.conf.all.arp_ignore", "net.ipv4.conf.all.arp_announce",
            "net.netfilter.nf_conntrack_max",
        ]
        .map {
            ($0, try LabShell.run("sysctl", ["-n", $0]).stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        defer { for (name, value) in saved { _ = try? LabShell.run("sysctl", ["-w", "\(name)=\(value)"]) } }
        try LabShell.run(
            "sysctl",
            ["-w", "net.ipv4.vs.conntrack=0", "net.ipv4.conf.all.arp_ignore=0", "net.netfilter.nf_conntrack_max=1000"])
        let prepared = try image.proxy(["run", "--prepare-kernel"], environment: ["IPVS_PROXY_IPVS_STRICT_ARP=true"])
        #expect(prepared.status == 0, "\(prepared.stderr)")
        #expect(
            try LabShell.run("sysctl", ["-n", "net.ipv4.vs.conntrack"]).stdout.hasPrefix("1"), "\(prepared.stderr)")
        #expect(try LabShell.run("sysctl", ["-n", "net.ipv4.conf.all.arp_ignore"]).stdout.hasPrefix("1"))
        #expect(try LabShell.run("sysctl", ["-n", "net.ipv4.conf.all.arp_announce"]).stdout.hasPrefix("2"))
        // The conntrack table as kube-proxy sizes it: 32768 a core, at least 131072 (the guest has 2 cores).
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(
            try LabShell.run("sysctl", ["-n", "net.netfilter.nf_conntrack_max"]).stdout.trimmingCharacters(
                in: .whitespacesAndNewlines) == String(max(32768 * cores, 131072)), "\(prepared.stderr)")

        // The examples, copied into the image's root as a volume would hold them.
        let examples = image.rootfs + "/tmp/examples"
        try FileManager.default.createDirectory(atPath: examples, withIntermediateDirectories: true)
        for name in ["web.yaml", "web-sticky.yaml", "echo.yaml"] {
            try FileManager.default.copyItem(
                atPath: Self.root.appendingPathComponent("manifests/examples/\(name)").path,
                toPath: "\(examples)/\(name)")
        }
        // The examples' addresses are common ones: a virtual server an earlier suite left on one would be rightly
        // left alone by the image's proxy as another program's. Every suite removes what it makes; one that did not
        // is named here.
        let listed = try LabShell.run("ipvsadm", ["-Sn"]).stdout.split(separator: "\n")
        let leftovers = listed.filter { line in
            line.hasPrefix("-A ") && Self.services.contains { line.contains(" \($0.vip):\($0.port) ") }
        }
        try #require(leftovers.isEmpty, "an earlier suite left virtual servers on the examples' addresses: \(leftovers)")
        // One ownership record for the image's runs and the project's own binary below (inside: /run/...).
        let record = "/run/ipvs-proxy/image-lab.json"
        let common = [
            "--interface", Self.interface, "--hostname-override", "lab", "--ownership-file", record,
            "--healthz-bind-address", "", "--metrics-bind-address", "",
        ]
        defer { _ = try? image.proxy(["run", "--cleanup"] + common) }
        // No masquerading table from an earlier test: the one seen below is the image's nft's.
        for line in try LabShell.run("nft", ["list", "tables"]).stdout.split(separator: "\n")
        where line.hasSuffix(" ipvs-proxy") {
            try LabShell.run("nft", ["delete"] + line.split(separator: " ").map(String.init))
        }
        let once = try image.proxy(["run", "--once", "--manifests", "/tmp/examples"] + common)
        #expect(once.status == 0, "\(once.stderr)")
        for (vip, port) in Self.services {
            #expect(
                try ProxyLab.peer(vip, port: port)?.count == 3, "\(vip):\(port): \(ProxyLab.table())\n\(once.stderr)")
        }
        #expect(try ProxyLab.peer("10.96.0.10") == ["10.244.0.10=1", "10.244.0.11=1", "10.244.0.12=1"])
        // The image's nft made the masquerading table.
        #expect(try LabShell.run("nft", ["list", "tables"]).stdout.contains("ipvs-proxy"), "\(once.stderr)")

        // The binary this commit's tests run finds nothing to change: the image programs what the proxy programs.
        let same = try LabShell.run(
            try PodsLabTests.ipvsProxyBinary(),
            ["run", "--once", "--manifests", examples]
                + common.map { $0 == record ? image.rootfs + record : $0 })
        #expect(same.status == 0, "\(same.stderr)")
        let sync = Set(
            (same.stderr.split(separator: "\n").first { $0.contains("full sync") } ?? "").split(separator: " ")
                .map(String.init))
        #expect(sync.isSuperset(of: ["operations=0", "bind=0", "unbind=0"]), "\(same.stderr)")

        // And the image's binary removes exactly what it made.
        let cleanup = try image.proxy(["run", "--cleanup"] + common)
        #expect(cleanup.status == 0, "\(cleanup.stderr)")
        for (vip, port) in Self.services {
            #expect(try ProxyLab.peer(vip, port: port) == nil, "\(vip):\(port) removed: \(ProxyLab.table())")
        }
    }
}
