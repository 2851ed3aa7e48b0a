import ArgumentParser
import Foundation
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
    /// an error, not kill the proxy.
    static func main() async {
        BrokenPipe.ignore()
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
