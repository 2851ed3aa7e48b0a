import ArgumentParser
import Foundation
import IPVS
import NFTables
import Settings

/// The `ipvs-proxy` command: a Kubernetes service proxy that programs the kernel's IPVS directly.
@main
struct IPVSProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipvs-proxy",
        abstract: "A Kubernetes service proxy that programs the Linux kernel's IPVS load balancer directly.",
        version: BuildInfo.version,
        subcommands: [RunCommand.self, PlanCommand.self, StatusCommand.self]
    )

    /// Ignores SIGPIPE before anything else: a subprocess (`nft`) that dies while the proxy writes to it must give
    /// an error, not kill the proxy. Turns transparent huge pages off and caps malloc's arenas at one while this is
    /// the only thread that allocated.
    static func main() async {
        BrokenPipe.ignore()
        // No transparent huge pages: where the kernel's setting is `always`, the heap's partly used 2 MiB pieces
        // became resident whole, and more of them while the proxy idled (khugepaged). At 10,000 Services (lab, API
        // server, docs/performance.md) the anonymous resident set after the first sync and 150 s idle was 50.3 MiB
        // with them off against 58.8 and 66.0 MiB with them on, 54 MiB of it in huge pages.
        MallocHeap.declineTransparentHugePages()
        // One malloc arena, not glibc's eight per core: each arena keeps its own free pages, which another thread's
        // frees never fill. Set here, on the main thread before any await, so that no other thread has an arena of
        // its own yet (glibc fixes the limit when another thread first allocates). At 10,000 Services (lab, API
        // server, two rounds each, docs/performance.md) one arena against two held 79.8 and 79.5 MiB after 1,000
        // changes against 88.4 and 82.1, and a high-water mark of 101.3 and 106.8 MiB against 116.8 and 109.3.
        MallocHeap.limitArenas(to: 1)
        do {
            await main(try arguments(Array(CommandLine.arguments.dropFirst())))
        } catch {
            FileHandle.standardError.write(Data("ipvs-proxy: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }

    /// The command line as swift-argument-parser takes it: `run` and `plan` take kube-proxy's flags as kube-proxy
    /// writes them (`KubeProxyArguments`).
    static func arguments(_ arguments: [String]) throws -> [String] {
        guard let command = arguments.first, ["run", "plan"].contains(command) else { return arguments }
        return [command] + (try KubeProxyArguments.translate(Array(arguments.dropFirst())))
    }
}
