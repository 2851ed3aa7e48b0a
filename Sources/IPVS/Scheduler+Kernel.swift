import Foundation

extension Scheduler {
    /// The schedulers this kernel offers: those already loaded, plus those whose module the kernel can load
    /// (listed in `/lib/modules/<release>/modules.dep` or built in). Where the module tree is not visible (a
    /// container without /lib/modules), only the loaded ones are known, and the kernel's own answer (an error
    /// naming the module) remains the final word.
    ///
    /// The files are read as bytes: `modules.dep` runs to hundreds of kilobytes, and splitting it as a `String` (by
    /// grapheme) took half a second of every start in the lab, before anything else could begin.
    public static func offeredByKernel(
        procModules: String = "/proc/modules",
        modulesDirectory: String = "/lib/modules",
        release: String = Scheduler.kernelRelease()
    ) -> Set<Scheduler> {
        let prefix = Array("ip_vs_".utf8)
        var names = Set<String>()
        // A module's name, "ip_vs_" and what follows up to the first dot ("ip_vs_sh.ko.zst"): the scheduler's.
        func insert(_ module: ArraySlice<UInt8>) {
            guard module.starts(with: prefix) else { return }
            let name = module.dropFirst(prefix.count).prefix { $0 != UInt8(ascii: ".") }
            names.insert(String(decoding: name, as: UTF8.self))
        }
        // /proc/modules: the name first on each line, then its size.
        for line in lines(of: procModules) {
            insert(line.prefix { $0 != UInt8(ascii: " ") })
        }
        // modules.dep: "kernel/net/netfilter/ipvs/ip_vs_sh.ko.zst: kernel/...", modules.builtin the path alone.
        for file in ["modules.dep", "modules.builtin"] {
            for line in lines(of: "\(modulesDirectory)/\(release)/\(file)") {
                let path = line.prefix { $0 != UInt8(ascii: ":") }
                insert(path.lastIndex(of: UInt8(ascii: "/")).map { path[($0 + 1)...] } ?? path)
            }
        }
        // ip_vs_ftp is an application helper and ip_vs_pe_sip a persistence engine: not schedulers.
        return Set(names.subtracting(["ftp", "pe_sip"]).map(Scheduler.init(rawValue:)))
    }

    /// The lines of the file at `path` as bytes, without their newlines; none when it cannot be read.
    private static func lines(of path: String) -> [ArraySlice<UInt8>] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return [UInt8](data).split(separator: UInt8(ascii: "\n"))
    }

    /// The running kernel's release (`uname -r`).
    public static func kernelRelease() -> String {
        (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }
}
