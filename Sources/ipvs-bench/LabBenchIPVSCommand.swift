import Values
import ArgumentParser
import Foundation
import IPVS
import Logging

/// `ipvs-bench lab-bench-ipvs`: the kernel-lab benchmark of the IPVS batch API against ipvsadm (see
/// scripts/bench-ipvs). Hidden: it writes to the kernel's IPVS table and is meant for a throwaway lab guest.
struct LabBenchIPVSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab-bench-ipvs",
        abstract: "Kernel-lab benchmark: load, dump, or print as ipvsadm rules a table of N x M servers.",
        shouldDisplay: false
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case load, dump, rules
    }

    @Argument(help: "load: add the table through the batch API; dump: list the whole table; rules: print it as ipvsadm -R input.")
    var mode: Mode

    @Option(help: "Virtual servers.")
    var services = 10_000

    @Option(help: "Real servers per virtual server.")
    var reals = 10

    /// Service i is TCP 10.(100+i/65536).(i/256).(i%256):80 with rr; real j of it is 10.244.j.(i%250+1):8080.
    func table() -> [(VirtualServer, [RealServer])] {
        (0..<services).map { index in
            let vip = IPv4Address(
                10, UInt8(truncatingIfNeeded: 100 + index / 65536), UInt8(truncatingIfNeeded: index / 256),
                UInt8(truncatingIfNeeded: index))
            let key = VirtualServerKey.service(.tcp, .v4(vip), port: 80)
            let members = (0..<reals).map { real in
                RealServer(
                    address: .v4(IPv4Address(10, 244, UInt8(truncatingIfNeeded: real), UInt8(index % 250 + 1))),
                    port: 8080)
            }
            return (VirtualServer(key: key, scheduler: .roundRobin), members)
        }
    }

    func run() throws {
        let logger = Logger(label: "ipvs-bench.lab-bench")
        switch mode {
        case .rules:
            var out = ""
            for (server, members) in table() {
                guard case .service(_, let address, let port) = server.key else { continue }
                out += "-A -t \(address):\(port) -s \(server.scheduler)\n"
                for member in members {
                    out += "-a -t \(address):\(port) -r \(member.address):\(member.port) -m -w \(member.weight)\n"
                }
                if out.utf8.count > 1 << 20 {
                    FileHandle.standardOutput.write(Data(out.utf8))
                    out = ""
                }
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        case .load:
            var operations: [IPVSOperation] = []
            for (server, members) in table() {
                operations.append(.addVirtualServer(server))
                operations += members.map { .addRealServer($0, to: server.key) }
            }
            let client = try IPVSNetlinkClient(logger: logger)
            let clock = ContinuousClock()
            let start = clock.now
            let results = client.apply(operations)
            let elapsed = clock.now - start
            let failures = results.filter { if case .failure = $0 { true } else { false } }
            print("load: \(operations.count) operations in \(elapsed), \(failures.count) failed")
            if case .failure(let error)? = failures.first { print("first failure: \(error)") }
            if !failures.isEmpty { throw ExitCode(1) }
        case .dump:
            let client = try IPVSNetlinkClient(logger: logger)
            let clock = ContinuousClock()
            let start = clock.now
            let listed = try client.virtualServers()
            let elapsed = clock.now - start
            let count = listed.reduce(0) { $0 + $1.realServers.count }
            print("dump: \(listed.count) virtual servers, \(count) real servers in \(elapsed)")
        }
    }
}
