import ArgumentParser
import Foundation
import IPVS
import Kube
import Logging
import Proxy
import Settings

/// `ipvs-proxy status`: prints the kernel's IPVS table the way `ipvsadm -Ln` does, or as JSON; with a source
/// (`--manifests` or `--kubeconfig`), each virtual server is named by its Service port and each real server by
/// its Pod.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the kernel's IPVS table (like ipvsadm -Ln), with Service and Pod names given a source.",
        discussion: """
            Given --manifests or --kubeconfig (or --context), the objects are read once and each virtual server \
            line ends with namespace/service:port ("-" for one no Service claims), each real server line with \
            its Pod (from the EndpointSlice's targetRef). Pass the same node options as `run` (--hostname-override, \
            --nodeport-addresses, --proxy-name) so NodePorts and Local policies map as the proxy sees them.
            """
    )

    @Flag(help: "Show counters: connections, packets and bytes (like ipvsadm -Ln --stats).")
    var stats = false

    @Flag(help: "Show rates: connections, packets and bytes per second (like ipvsadm -Ln --rate).")
    var rate = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "The running proxy's health state file (health checks are shown when it exists)"
                + " [default: /run/ipvs-proxy/health.json]", valueName: "file"))
    var healthStateFile: String?

    @OptionGroup var source: SourceOptions
    @OptionGroup var proxy: ProxyOptions

    func run() async throws {
        // The state file is a setting like `run`'s: the flag, else IPVS_PROXY_HEALTH_STATE_FILE, else the file.
        let (settings, logger) = try proxy.start(
            "status",
            extraFlags: source.given.merging([SettingKeys.healthStateFile.name: healthStateFile]) { $1 })
        let table: [VirtualServerState]
        let version: IPVSVersion
        do {
            (version, table) = try await Blocking.run {
                let client = try IPVSNetlinkClient(logger: logger)
                return (try client.version(), try client.virtualServers().sorted { $0.server.key < $1.server.key })
            }
        } catch let error as IPVSError {
            FileHandle.standardError.write(Data("ipvs-proxy status: \(error)\n".utf8))
            throw ExitCode(error.code == .familyMissing ? 3 : 1)
        }
        var names: ServiceMap?
        var diagnostics: [ServiceDiagnostic]?
        if source.isGiven {
            do {
                let source = self.source
                let (wiring, objects) = try await Blocking.run {
                    (
                        try ProxyWiring(options: settings, logger: logger),
                        try source.makeSource(
                            settings.clientConnection, waits: false, nodeName: settings.nodeName, logger: logger)
                    )
                }
                let tracker = try await SourceOptions.snapshot(of: objects, configuration: wiring.configuration)
                names = ServiceMap(tracker: tracker)
                diagnostics = StatusFormatter.sorted(tracker.diagnostics)
            } catch {
                throw ExitCode(ProxyWiring.exitCode(for: error, command: "status"))
            }
        }
        let healthStateFile = settings.healthCheck.stateFile ?? ""
        let health = try? await Blocking.run {
            FileManager.default.fileExists(atPath: healthStateFile)
                ? try HealthStateReport.read(from: healthStateFile) : nil
        }
        if json {
            print(
                try StatusFormatter.json(
                    version: version, table: table, names: names, health: health, diagnostics: diagnostics))
        } else if stats {
            print(StatusFormatter.counters(version: version, table: table), terminator: "")
        } else if rate {
            print(StatusFormatter.rates(version: version, table: table), terminator: "")
        } else {
            print(StatusFormatter.table(version: version, table: table, names: names), terminator: "")
        }
        if let diagnostics, !json {
            print(StatusFormatter.diagnostics(diagnostics), terminator: "")
        }
        if let health, !json {
            let now = Date().timeIntervalSince1970
            print(StatusFormatter.health(health, path: healthStateFile, now: now), terminator: "")
        }
    }
}
