import ArgumentParser
import Foundation
import IPVS
import Logging
import Proxy

/// `ipvs-proxy status`: prints the kernel's IPVS table the way `ipvsadm -Ln` does, or as JSON.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the kernel's IPVS table (like ipvsadm -Ln)."
    )

    @Flag(help: "Show counters: connections, packets and bytes (like ipvsadm -Ln --stats).")
    var stats = false

    @Flag(help: "Show rates: connections, packets and bytes per second (like ipvsadm -Ln --rate).")
    var rate = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "The running proxy's health state file (health checks are shown when it exists).")
    var healthStateFile = "/run/ipvs-proxy/health.json"

    func run() throws {
        let logger = Logger(label: "ipvs-proxy.status")
        let table: [VirtualServerState]
        let version: IPVSVersion
        do {
            let client = try IPVSNetlinkClient(logger: logger)
            version = try client.version()
            table = try client.virtualServers().sorted { $0.server.key < $1.server.key }
        } catch let error as IPVSError {
            FileHandle.standardError.write(Data("ipvs-proxy status: \(error)\n".utf8))
            throw ExitCode(error.code == .familyMissing ? 3 : 1)
        }
        let health = FileManager.default.fileExists(atPath: healthStateFile)
            ? try? HealthStateReport.read(from: healthStateFile) : nil
        if json {
            print(try StatusFormatter.json(version: version, table: table, health: health))
        } else if stats {
            print(StatusFormatter.counters(version: version, table: table), terminator: "")
        } else if rate {
            print(StatusFormatter.rates(version: version, table: table), terminator: "")
        } else {
            print(StatusFormatter.table(version: version, table: table), terminator: "")
        }
        if let health, !json {
            let now = Date().timeIntervalSince1970
            print(StatusFormatter.health(health, path: healthStateFile, now: now), terminator: "")
        }
    }
}
