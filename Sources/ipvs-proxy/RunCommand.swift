import ArgumentParser
import Foundation
import Health
import IPVS
import Kube
import Logging
import NFTables
import Proxy
import ServiceLifecycle
import Settings
import Telemetry
import Values

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
    @OptionGroup var masquerade: MasqueradeOptions
    @OptionGroup(title: "Health checks") var health: HealthCheckOptions
    @OptionGroup var runSettings: RunSettingsOptions
    @OptionGroup(title: "Conntrack") var conntrack: ConntrackOptions

    @Flag(help: "Sync once, after the initial state is read, and exit.")
    var once = false

    @Option(
        help: ArgumentHelp(
            """
            With --manifests: keep the decoded objects here across restarts, so that a restart reads the files \
            but parses only those whose bytes changed ("" for none).
            """, valueName: "path"))
    var manifestsCache = "/run/ipvs-proxy/manifests-cache"

    @Option(
        help: ArgumentHelp(
            """
            With an API server: keep each resource's decoded objects in this directory across restarts, so that a \
            restart lists every object but decodes only those whose uid and resourceVersion it does not hold \
            ("" for none).
            """, valueName: "path"))
    var apiCache = "/run/ipvs-proxy/api-cache"

    @Flag(
        help: """
            Remove every virtual server and VIP the proxy owns (its ownership record, and its link's addresses), its \
            nftables table, and its link if it created it, then exit. Reads no objects; leaves other programs' \
            virtual servers alone.
            """)
    var cleanup = false

    @Flag(
        help: """
            Set the kernel settings the proxy depends on (net.ipv4.vs, ip_forward, strict ARP, the conntrack table, \
            IPVS timeouts) from the same settings as a start would, then exit. For a privileged init container, where \
            the proxy itself runs without write access to /proc/sys. Reads no objects, makes no link.
            """)
    var prepareKernel = false

    func validate() throws {
        if prepareKernel && (once || cleanup) {
            throw ValidationError(
                "--prepare-kernel sets the kernel and exits: it cannot be combined with --once or --cleanup")
        }
    }

    /// The flags given beyond ProxyOptions', by setting name. (`--cluster-cidr` and `--masquerade-all` are
    /// MasqueradeOptions'; the file and environment can set them too.)
    var extraFlags: [String: String?] {
        let masqueradeFlags: [String: String?] = [
            SettingKeys.clusterCIDR.name: masquerade.clusterCIDR,
            SettingKeys.masqueradeAll.name: masquerade.masqueradeAll.map { String($0) },
        ]
        return runSettings.given.merging(masqueradeFlags) { flag, _ in flag }.merging(health.given) { $1 }
            .merging(source.given) { $1 }.merging(conntrack.given) { $1 }
    }

    func run() async throws {
        // The config file as read at start: a change to it ends the proxy (below), as it ends kube-proxy.
        let configPath = proxy.configPath()
        let configAtStart = try await Blocking.run { configPath.flatMap(FileChangeWatch.read) }
        let (settings, logger) = try proxy.start("run", extraFlags: extraFlags)
        // Health probes in flight and the API connections hold a descriptor each: the soft limit goes up to the hard
        // one, as Go's runtime raises it for kube-proxy.
        if let (before, after) = OpenFileLimit.raiseSoftToHard(), before != after {
            logger.info("open files limit raised", metadata: ["from": "\(before)", "to": "\(after)"])
        }
        if prepareKernel {
            do {
                try await Blocking.run {
                    try ProxyWiring.prepareKernel(
                        settings, kernel: { try IPVSNetlinkClient(logger: logger) }, logger: logger)
                }
            } catch {
                throw ExitCode(ProxyWiring.exitCode(for: error, command: "run --prepare-kernel"))
            }
            return
        }
        let wiring: ProxyWiring
        do {
            wiring = try await Blocking.run { try ProxyWiring(options: settings, logger: logger) }
        } catch {
            throw ExitCode(ProxyWiring.exitCode(for: error, command: "run"))
        }
        if cleanup {
            try await runCleanup(wiring, settings: settings, logger: logger)
            return
        }
        do {
            try await Blocking.run { try wiring.prepareKernel(settings, logger: logger) }
        } catch {
            throw ExitCode(ProxyWiring.exitCode(for: error, command: "run"))
        }
        // The metrics backend first: the event recorder's counters are made through it.
        let telemetry = TelemetryWiring(settings: settings)
        // Services' problems become Events on them, written on the API server source's connection; a manifests
        // directory has no API (the log alone says it), and --once ends with its pass.
        let events =
            once || self.source.manifests != nil ? nil : EventRecorder(instance: settings.nodeName, logger: logger)
        let objects: any ObjectSource
        do {
            let (source, waits) = (self.source, !once)
            let cache = manifestsCache.isEmpty ? nil : manifestsCache
            let apiCache = apiCache.isEmpty ? nil : apiCache
            objects = try await Blocking.run {
                try source.makeSource(
                    settings.clientConnection, waits: waits, nodeName: settings.nodeName, events: events,
                    manifestsCache: cache, apiCache: apiCache, logger: logger)
            }
        } catch {
            throw ExitCode(ProxyWiring.exitCode(for: error, command: "run"))
        }
        for warning in settings.healthCheck.warnings { logger.warning("\(warning)") }
        var options = ProxyService.Options()
        options.syncPeriod = settings.syncPeriod
        options.minSyncPeriod = settings.minSyncPeriod
        // The resync and the traffic metrics' reads share --kernel-read-cpu (half each while both run).
        options.resyncShare = telemetry.readShare(settings)
        options.metrics = telemetry.metrics
        options.healthz = telemetry.health
        options.once = once
        options.allowEmptySource = settings.allowEmptySource
        // Both sources deliver the initial state as it is read: an API server a page at a time, a manifests directory
        // in runs of files while the rest is parsed.
        options.programsAhead = true
        options.healthStateFile = settings.healthCheck.stateFile
        var configuration = wiring.configuration
        configuration.health = settings.healthCheck.configuration
        // The prober runs unless --once (one pass has no time to probe); it idles when no Service is checked.
        let metrics = HealthMetrics()
        let checker = once ? nil : HealthChecker(logger: logger, observer: metrics)
        // The source is a service of its own, first in the group: a graceful shutdown stops services in reverse
        // order, so the proxy stops before its input does.
        let source = SourceService(objects)
        // Node addresses are followed live (rtnetlink address events), unless --once. Without the events (a socket
        // that cannot join the groups), the addresses read at start are kept, and that is logged.
        var watcher: NodeAddressWatcher?
        if !once {
            do {
                let link = wiring.link
                let addresses = try await Blocking.run { try RouteNodeAddresses(link: link) }
                watcher = NodeAddressWatcher(
                    source: addresses,
                    initial: NodeAddressSet(
                        nodePortAddresses: configuration.primaryNodePorts?.candidates
                            ?? configuration.nodePortAddresses,
                        otherInterfaceAddresses: configuration.otherInterfaceAddresses),
                    prefixes: wiring.nodePortPrefixes, vipLink: settings.interface, logger: logger)
            } catch {
                logger.warning(
                    "cannot follow the node's addresses: NodePorts stay on the addresses read at start",
                    metadata: ["error": "\(error)"])
            }
        }
        // kube-proxy's health-check node ports (externalTrafficPolicy: Local LoadBalancers), unless --once; they
        // answer from the /livez rule.
        let health = telemetry.health
        let healthCheckNodePorts =
            once
            ? nil
            : ServiceHealthServer(
                proxyHealthy: { health.status(for: .livez).healthy }, logger: logger)
        let service = ProxyService(
            events: source.events,
            reconciler: wiring.reconciler,
            configuration: configuration,
            options: options,
            masquerade: MasqueradeSync(
                configuration: MasqueradeConfiguration(
                    clusterCIDRs: settings.clusterCIDRs, masqueradeAll: settings.masqueradeAll),
                nft: NFTablesLibrary(), sets: Self.setClient(logger: logger)),
            health: checker.map { HealthBridge(checker: $0, metrics: metrics) },
            nodeAddresses: watcher?.updates,
            // Stale UDP/SCTP conntrack flows, deleted after each pass that removed a backend (kube-proxy's
            // CleanStaleEntries); not with --once, whose process ends with its pass.
            observers: telemetry.observers
                + (healthCheckNodePorts.map { [HealthCheckNodePortObserver(server: $0)] } ?? [])
                + (events.map { [ServiceEventObserver(sink: $0)] } ?? [])
                + (once
                    ? [] : [ConntrackObserver(cleaner: ConntrackCleaner(table: NetfilterConntrack(), logger: logger))]),
            logger: logger
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: source)]
        if let watcher {
            services.append(
                .init(service: watcher, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore))
        }
        if let checker { services.append(.init(service: checker)) }
        if let configPath, !once {
            services.append(
                .init(
                    service: ConfigFileService(
                        watch: FileChangeWatch(path: configPath, original: configAtStart), logger: logger),
                    successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .ignore))
        }
        if let healthCheckNodePorts { services.append(.init(service: healthCheckNodePorts)) }
        // The per-Service traffic metrics, unless --once or turned off; a kernel connection that cannot be opened
        // leaves them out, logged, and the proxy goes on.
        if !once {
            do {
                let trafficCollector = try await Blocking.run {
                    try telemetry.trafficCollector(settings, logger: logger)
                }
                if let trafficCollector {
                    services.append(
                        .init(
                            service: trafficCollector, successTerminationBehavior: .ignore,
                            failureTerminationBehavior: .ignore))
                }
            } catch {
                logger.warning("per-Service traffic metrics off", metadata: ["error": "\(error)"])
            }
        }
        services.append(.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services
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

    /// `--cleanup`: removes exactly what the proxy owns (the virtual servers in its ownership record and those on
    /// its link's addresses, and those addresses), deletes the link only when the record says the proxy created it,
    /// and leaves every other program's virtual server alone.
    private func runCleanup(_ wiring: ProxyWiring, settings: ProxySettings, logger: Logger) async throws {
        let report: SyncReport
        var linkFailure: String?
        do {
            (report, linkFailure) = try await Blocking.run {
                var reconciler = wiring.reconciler
                reconciler.adoptForeign = false
                try reconciler.adopt(readOnly: true)
                let report = reconciler.sync(DesiredState(), scope: .all)
                var linkFailure: String?
                if reconciler.record.createdLink && report.succeeded {
                    do {
                        try wiring.link.deleteLink()
                        reconciler.forgetLink()
                    } catch {
                        linkFailure = "\(error)"
                    }
                }
                if let path = settings.ownershipFile {
                    let record = reconciler.record
                    if record.virtualServers.isEmpty && !record.createdLink {
                        try? FileManager.default.removeItem(atPath: path)
                    } else {
                        try record.write(to: path)
                    }
                }
                return (report, linkFailure)
            }
        } catch {
            throw ExitCode(ProxyWiring.exitCode(for: error, command: "run --cleanup"))
        }
        if let linkFailure {
            logger.error("could not delete the VIP link", metadata: ["error": "\(linkFailure)"])
        }
        var removedTable = true
        do {
            try await MasqueradeSync(configuration: try masquerade.configuration(), nft: NFTablesLibrary()).cleanup()
        } catch {
            removedTable = false
            logger.error("could not remove the nftables table", metadata: ["error": "\(error)"])
        }
        logger.info(
            "cleanup",
            metadata: [
                "operations": "\(report.plan.operations.count)", "unbind": "\(report.plan.unbind.count)",
                "failed": "\(report.failures.count + report.addressFailures.count)",
            ]
        )
        if !report.succeeded || !removedTable || linkFailure != nil { throw ExitCode(1) }
    }

    /// The reader of the nftables sets found at start and writer of small set changes (with `--once` too: its pass
    /// compares the table it finds); nil (every change through libnftables, a table found at start replaced) when
    /// no netfilter netlink socket opens, as on a kernel without nf_tables, where libnftables then reports the
    /// failure.
    static func setClient(logger: Logger) -> NFTablesSetClient? {
        do {
            return try NFTablesSetClient(logger: logger)
        } catch {
            logger.warning(
                "no netfilter netlink socket: nftables set changes go through libnftables",
                metadata: ["error": "\(error)"])
            return nil
        }
    }
}
