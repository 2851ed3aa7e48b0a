import Foundation

extension Scheduler {
    /// The schedulers this kernel offers: those already loaded, plus those whose module the kernel can load
    /// (listed in `/lib/modules/<release>/modules.dep` or built in). Where the module tree is not visible (a
    /// container without /lib/modules), only the loaded ones are known, and the kernel's own answer (an error
    /// naming the module) remains the final word.
    public static func offeredByKernel(
        procModules: String = "/proc/modules",
        modulesDirectory: String = "/lib/modules",
        release: String = Scheduler.kernelRelease()
    ) -> Set<Scheduler> {
        var names = Set<String>()
        if let loaded = try? String(contentsOfFile: procModules, encoding: .utf8) {
            for line in loaded.split(separator: "\n") {
                guard let name = line.split(separator: " ").first, name.hasPrefix("ip_vs_") else { continue }
                names.insert(String(name.dropFirst("ip_vs_".count)))
            }
        }
        for file in ["modules.dep", "modules.builtin"] {
            guard let text = try? String(contentsOfFile: "\(modulesDirectory)/\(release)/\(file)", encoding: .utf8)
            else { continue }
            for line in text.split(separator: "\n") {
                let path = line.split(separator: ":").first ?? line[...]
                guard let base = path.split(separator: "/").last, base.hasPrefix("ip_vs_") else { continue }
                let name = base.dropFirst("ip_vs_".count).split(separator: ".").first.map(String.init) ?? ""
                names.insert(name)
            }
        }
        // ip_vs_ftp is an application helper and ip_vs_pe_sip a persistence engine: not schedulers.
        return Set(names.subtracting(["ftp", "pe_sip"]).map(Scheduler.init(rawValue:)))
    }

    /// The running kernel's release (`uname -r`).
    public static func kernelRelease() -> String {
        (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }
}
