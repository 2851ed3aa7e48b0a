import ArgumentParser

/// The `ipvs-bench` command: the lab's tools, kept out of the node binary. The scheduler benchmark (`bench`), the
/// backend pods fixture (`pods ...`) that the lab, the demo and the benchmark use, and the hidden kernel-lab
/// benchmarks of the IPVS batch API (`lab-bench-ipvs`) and the health prober (`lab-bench-health`, with its
/// listeners, `lab-health-listeners`).
@main
struct IPVSBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipvs-bench",
        abstract: "The ipvs-proxy lab's tools: the IPVS scheduler benchmark and the backend pods fixture.",
        discussion: """
            Not part of the node agent (the DaemonSet ships ipvs-proxy alone). Most commands need root and a \
            kernel with IPVS: run them in the kernel lab (scripts/lab, docs/kernel-lab.md).
            """,
        subcommands: [
            BenchCommand.self, PodsCommand.self, LabBenchIPVSCommand.self, LabBenchHealthCommand.self,
            LabHealthListenersCommand.self,
        ]
    )
}
