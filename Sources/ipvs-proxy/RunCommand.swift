import ArgumentParser
import Foundation
import IPVS
import Kube
import Logging
import Proxy
import ServiceLifecycle
import Settings

/// `ipvs-proxy run`: the proxy itself.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Program IPVS from Services and EndpointSlices, and keep it in step.",
        discussion: """
            Reads the kernel's IPVS table first and adopts it (nothing is flushed), then applies only the \
            difference. SIGTERM stops it and leaves the kernel as it is; --cleanup removes what it owns.
            """
    )

    @OptionGroup var source: SourceOptions
    @OptionGroup var proxy: ProxyOptions
    @OptionGroup var runSettings: RunSettingsOptions

    @Flag(help: "Sync once, after the initial state is read, and exit.")
    var once = false

    @Flag(help: "Remove every virtual server and VIP the proxy owns, then exit. Reads no objects.")
    var cleanup = false

    func run() async throws {
        let settings: ProxySettings
        do {
            // MERGE(masq): add MasqueradeOptions' flags to extraFlags so the file and environment can set them too:
            //   ["cluster-cidr": masquerade.clusterCIDR, "masquerade-all": masquerade.masqueradeAll ? "true" : nil]
            // and build MasqueradeConfiguration from settings.clusterCIDRs and settings.masqueradeAll.
            settings = try proxy.settings(extraFlags: runSettings.given)
        } catch {
            throw ExitCode(ProxyWiring.exitCode(for: error, command: "run"))
        }
        let logger = LogSetup.bootstrap(level: settings.level, label: "ipvs-proxy")
        for note in settings.notes { logger.notice("\(note)") }
        let wiring: ProxyWiring
        do {
            wiring = try ProxyWiring(options: settings, logger: logger)
        } catch {
            throw ExitCode(ProxyWiring.exitCode(for: error, command: "run"))
        }
        if cleanup {
            try runCleanup(wiring, logger: logger)
            return
        }
        do {
            try wiring.prepareKernel(settings, logger: logger)
        } catch {
            throw ExitCode(ProxyWiring.exitCode(for: error, command: "run"))
        }
        let objects: any ObjectSource
        do {
            objects = try source.makeSource(logger: logger)
        } catch {
            throw ExitCode(ProxyWiring.exitCode(for: error, command: "run"))
        }
        let telemetry = TelemetryWiring(settings: settings)
        var options = ProxyService.Options()
        options.syncPeriod = settings.syncPeriod
        options.minSyncPeriod = settings.minSyncPeriod
        options.metrics = telemetry.metrics
        options.health = telemetry.health
        options.once = once
        let service = ProxyService(
            source: objects,
            reconciler: wiring.reconciler,
            configuration: wiring.configuration,
            options: options,
            logger: logger
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)
                ]
                    // As kube-proxy (bindAddressHardFail: false): an address that cannot be bound is logged, and
                    // the proxy goes on without that endpoint.
                    + (once ? [] : telemetry.services(settings, logger: logger)).map {
                        .init(service: $0, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore)
                    },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch {
            throw ExitCode(ProxyWiring.exitCode(for: error, command: "run"))
        }
    }

    private func runCleanup(_ wiring: ProxyWiring, logger: Logger) throws {
        var reconciler = wiring.reconciler
        do {
            try reconciler.adopt()
        } catch {
            throw ExitCode(ProxyWiring.exitCode(for: error, command: "run --cleanup"))
        }
        let report = reconciler.sync(DesiredState(), scope: .all)
        logger.info(
            "cleanup",
            metadata: [
                "operations": "\(report.plan.operations.count)", "unbind": "\(report.plan.unbind.count)",
                "failed": "\(report.failures.count + report.addressFailures.count)",
            ]
        )
        if !report.succeeded { throw ExitCode(1) }
    }
}
