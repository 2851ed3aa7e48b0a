import ArgumentParser

/// The `ipvs-proxy` command: a Kubernetes service proxy that programs the kernel's IPVS directly.
@main
struct IPVSProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipvs-proxy",
        abstract: "A Kubernetes service proxy that programs the Linux kernel's IPVS load balancer directly.",
        version: BuildInfo.version,
        subcommands: [RunCommand.self, PlanCommand.self, StatusCommand.self]
    )
}
