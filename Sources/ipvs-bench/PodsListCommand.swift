import ArgumentParser
import Foundation
import Pods

/// `ipvs-bench pods list`: the pods and their servers' state.
struct PodsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the pods: name, address, server state, pid, delay.")

    @OptionGroup var fixture: PodsRunDirectoryOption

    func run() async throws {
        Self.printTable(try fixture.attach().status())
    }

    /// Prints one line per pod under a header.
    static func printTable(_ pods: [PodStatus]) {
        let rows =
            [["NAME", "ADDRESS", "HTTP", "ECHO", "SERVER", "PID", "DELAY", "VETH"]]
            + pods.map { status in
                let spec = status.spec
                return [
                    spec.name, "\(spec.address)", String(spec.httpPort), String(spec.echoPort),
                    status.server.rawValue, status.pid.map(String.init) ?? "-", "\(spec.delay)", spec.hostInterface,
                ]
            }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let padded = zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
            print(padded.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
    }
}
