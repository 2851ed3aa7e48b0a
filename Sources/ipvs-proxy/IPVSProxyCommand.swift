import ArgumentParser
import NFTables

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
        await main(nil)
    }
}
