import ArgumentParser
import Foundation
import IPVS
import Kube
import Logging
import Proxy
import Settings

/// `ipvs-proxy plan`: what `run` would change now, without changing anything.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the operations `run` would apply to the kernel now; change nothing."
    )

    @OptionGroup var source: SourceOptions
    @OptionGroup var proxy: ProxyOptions

    func run() async throws {
        let (settings, logger) = try proxy.start("plan", extraFlags: source.given)
        let wiring: ProxyWiring
        let reconciler: Reconciler
        let objects: any ObjectSource
        do {
            let source = self.source
            (wiring, reconciler, objects) = try await Blocking.run {
                let wiring = try ProxyWiring(options: settings, logger: logger)
                var reconciler = wiring.reconciler
                try reconciler.adopt(readOnly: true)
                return (wiring, reconciler, try source.makeSource(
                        settings.clientConnection, waits: false, nodeName: settings.nodeName, logger: logger))
            }
        } catch {
            throw ExitCode(ProxyWiring.exitCode(for: error, command: "plan"))
        }
        let tracker: DesiredStateTracker
        do {
            tracker = try await SourceOptions.snapshot(of: objects, configuration: wiring.configuration)
        } catch {
            throw ExitCode(ProxyWiring.exitCode(for: error, command: "plan"))
        }
        for diagnostics in tracker.diagnostics.values {
            for diagnostic in diagnostics { logger.warning("\(diagnostic)") }
        }
        let plan = reconciler.plan(tracker.desired)
        if !plan.isEmpty { print(plan) }
        for key in plan.foreign {
            logger.warning(
                "held by another program: left as it is (--adopt takes it over)",
                metadata: ["virtualServer": "\(key)", "service": "\(tracker.owner(of: key).map(\.description) ?? "")"])
        }
        logger.info(
            "plan",
            metadata: [
                "operations": "\(plan.operations.count)", "bind": "\(plan.bind.count)",
                "unbind": "\(plan.unbind.count)",
            ])
    }
}
