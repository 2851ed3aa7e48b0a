import Values
import Foundation
import IPVS
import Logging
import Testing

/// The IPVS client against the lab's real kernel. Each test starts from a flushed table and flushes what it made
/// when it ends, so that no later suite in the same guest meets its virtual servers.
extension IPVSLab {
@Suite(.serialized)
final class IPVSLabTests {
    let client: IPVSNetlinkClient

    init() throws {
        try LabShell.prepareNetwork()
        client = try IPVSNetlinkClient(logger: Logger(label: "lab"))
        try client.flush()
    }

    deinit {
        do {
            try client.flush()
        } catch {
            print("IPVSLabTests: could not flush the table after a test: \(error)")
        }
    }

    static func ip(_ text: String) throws -> IPAddress { try #require(IPAddress(text)) }

    @Test func versionAndTimeoutsRoundTrip() throws {
        let version = try client.version()
        #expect(version.description == "1.2.1")
        #expect(version.connectionTableSize > 0)
        let before = try client.timeouts()
        try client.setTimeouts(IPVSTimeouts(tcp: 1234, tcpFin: 56, udp: 78))
        #expect(try client.timeouts() == IPVSTimeouts(tcp: 1234, tcpFin: 56, udp: 78))
        let ipvsadm = try LabShell.run("ipvsadm", ["-L", "--timeout"]).stdout
        #expect(ipvsadm.contains("Timeout (tcp tcpfin udp): 1234 56 78"), "\(ipvsadm)")
        try client.setTimeouts(before)
    }

    @Test func everyOperationRoundTrips() throws {
        let key = VirtualServerKey.service(.tcp, try Self.ip("10.96.0.10"), port: 80)
        var server = VirtualServer(key: key, scheduler: .roundRobin)
        try client.add(server)
        #expect(try client.virtualServer(key)?.server == server)
        server.scheduler = .weightedLeastConnection
        server.persistence = Persistence(timeout: 600, prefixLength: 24)
        server.flags = [.onePacket]
        try client.update(server)
        #expect(try client.virtualServer(key)?.server == server)

        var real = RealServer(address: try Self.ip("10.244.1.2"), port: 8080, weight: 5, forwarding: .masquerade)
        try client.add(real, to: key)
        real.weight = 0
        real.forwarding = .route
        real.upperThreshold = 100
        real.lowerThreshold = 10
        try client.update(real, in: key)
        let listed = try #require(try client.virtualServer(key))
        #expect(listed.realServers.map(\.server) == [real])
        #expect(try client.virtualServers().map(\.server) == [server])

        try client.delete(real.endpoint, from: key)
        #expect(try client.virtualServer(key)?.realServers.isEmpty == true)
        try client.delete(key)
        #expect(try client.virtualServer(key) == nil)
        #expect(try client.virtualServers().isEmpty)

        try client.add(VirtualServer(key: .firewallMark(9, family: .ipv6)))
        try client.flush()
        #expect(try client.virtualServers().isEmpty)
    }

    /// A varied table (direct-routing and tunnelled real servers use the service's port: ipvsadm forces it), written once by this module and once by `ipvsadm -R`: both sides must agree.
    static func table() throws -> [(VirtualServer, [RealServer])] {
        [
            (
                VirtualServer(key: .service(.tcp, try ip("10.96.0.10"), port: 80), scheduler: .roundRobin),
                [
                    RealServer(address: try ip("10.244.1.2"), port: 8080, weight: 3),
                    RealServer(address: try ip("10.244.1.3"), port: 80, weight: 0, forwarding: .route,
                               upperThreshold: 50, lowerThreshold: 5),
                    RealServer(address: try ip("10.244.1.4"), port: 80, forwarding: .tunnel),
                ]
            ),
            (
                VirtualServer(
                    key: .service(.udp, try ip("10.96.0.53"), port: 53), scheduler: .sourceHashing,
                    flags: [.onePacket, .shFallback, .shPort], persistence: Persistence(timeout: 600, prefixLength: 24)),
                [RealServer(address: try ip("10.244.2.2"), port: 53, weight: 1)]
            ),
            (
                VirtualServer(
                    key: .service(.sctp, try ip("10.96.0.7"), port: 3868), scheduler: .maglev, flags: [.mhPort],
                    persistence: Persistence(timeout: 30)),
                [RealServer(address: try ip("10.244.2.9"), port: 3868, weight: 2)]
            ),
            (
                VirtualServer(key: .service(.tcp, try ip("fd00::10"), port: 443), scheduler: .weightedRoundRobin),
                [
                    RealServer(address: try ip("fd00:244::2"), port: 8443, weight: 7),
                    RealServer(address: try ip("fd00:244::3"), port: 8443, weight: 1),
                ]
            ),
            (VirtualServer(key: .firewallMark(7, family: .ipv4), scheduler: .leastConnection),
             [RealServer(address: try ip("10.244.3.1"), port: 0, weight: 1, forwarding: .route)]),
            (VirtualServer(key: .firewallMark(8, family: .ipv6), scheduler: .neverQueue), []),
        ]
    }

    /// The same table as `ipvsadm -R` input.
    static let ipvsadmRules = """
        -A -t 10.96.0.10:80 -s rr
        -a -t 10.96.0.10:80 -r 10.244.1.2:8080 -m -w 3
        -a -t 10.96.0.10:80 -r 10.244.1.3:80 -g -w 0 -x 50 -y 5
        -a -t 10.96.0.10:80 -r 10.244.1.4:80 -i -w 1
        -A -u 10.96.0.53:53 -s sh -p 600 -M 255.255.255.0 -o -b sh-fallback,sh-port
        -a -u 10.96.0.53:53 -r 10.244.2.2:53 -m -w 1
        -A --sctp-service 10.96.0.7:3868 -s mh -p 30 -b mh-port
        -a --sctp-service 10.96.0.7:3868 -r 10.244.2.9:3868 -m -w 2
        -A -t [fd00::10]:443 -s wrr
        -a -t [fd00::10]:443 -r [fd00:244::2]:8443 -m -w 7
        -a -t [fd00::10]:443 -r [fd00:244::3]:8443 -m -w 1
        -A -f 7 -s lc
        -a -f 7 -r 10.244.3.1:0 -g -w 1
        -A -f 8 -6 -s nq

        """

    func writeTable() throws {
        var operations: [IPVSOperation] = []
        for (server, reals) in try Self.table() {
            operations.append(.addVirtualServer(server))
            operations += reals.map { .addRealServer($0, to: server.key) }
        }
        for (operation, result) in zip(operations, client.apply(operations)) {
            #expect(throws: Never.self, "\(operation)") { try result.get() }
        }
    }

    /// The flag kube-proxy sets with mh (its `FlagSourceHash`, IP_VS_SVC_F_SCHED_MH_PORT): the kernel takes it,
    /// reports it back, and `ipvsadm -Ln` shows it as `mh-port`.
    @Test func mhPortFlagIsTakenAndReported() throws {
        let key = VirtualServerKey.service(.tcp, try Self.ip("10.96.0.11"), port: 80)
        try client.add(VirtualServer(key: key, scheduler: .maglev, flags: [.mhPort]))
        #expect(try client.virtualServer(key)?.server.flags == [.mhPort])
        let listed = try LabShell.run("ipvsadm", ["-Ln"]).stdout
        let line = listed.split(separator: "\n").first { $0.contains("10.96.0.11:80") }.map(String.init) ?? listed
        #expect(line.contains("mh (mh-port)"), "\(line)")
    }

    @Test func ipvsadmReadsWhatWeWrite() throws {
        try writeTable()
        let ours = try LabShell.run("ipvsadm", ["-Sn"]).stdout
        let oursThresholds = try LabShell.run("ipvsadm", ["-Ln", "--thresholds"]).stdout
        try client.flush()
        let restore = try LabShell.run("ipvsadm", ["-R"], input: Self.ipvsadmRules)
        #expect(restore.status == 0, "\(restore.stderr)")
        let theirs = try LabShell.run("ipvsadm", ["-Sn"]).stdout
        #expect(!ours.isEmpty)
        #expect(ours == theirs)
        #expect(oursThresholds == (try LabShell.run("ipvsadm", ["-Ln", "--thresholds"]).stdout))
    }

    /// `ipvs-proxy status` prints what `ipvsadm -Ln` prints, and `--stats` what `ipvsadm -Ln --stats --exact` does.
    @Test func statusPrintsWhatIpvsadmPrints() throws {
        let binary = FileManager.default.currentDirectoryPath + "/.build/debug/ipvs-proxy"
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the ipvs-proxy executable first")
        try writeTable()
        // No health section: a state file no proxy wrote (another test's proxy may have left one at the default).
        let noHealth = ["--health-state-file", "/tmp/ipvslab-\(UUID().uuidString)-health.json"]
        let ours = try LabShell.run(binary, ["status"] + noHealth)
        #expect(ours.status == 0, "\(ours.stderr)")
        #expect(ours.stdout == (try LabShell.run("ipvsadm", ["-Ln"]).stdout))
        let stats = try LabShell.run(binary, ["status", "--stats"] + noHealth).stdout
        #expect(stats == (try LabShell.run("ipvsadm", ["-Ln", "--stats", "--exact"]).stdout))
        let rates = try LabShell.run(binary, ["status", "--rate"] + noHealth).stdout
        #expect(rates == (try LabShell.run("ipvsadm", ["-Ln", "--rate", "--exact"]).stdout))
    }

    @Test func weListWhatIpvsadmWrites() throws {
        let restore = try LabShell.run("ipvsadm", ["-R"], input: Self.ipvsadmRules)
        #expect(restore.status == 0, "\(restore.stderr)")
        let listed = try client.virtualServers()
        let expected = try Self.table()
        #expect(Set(listed.map(\.server)) == Set(expected.map(\.0)))
        for (server, reals) in expected {
            let found = try #require(listed.first { $0.server.key == server.key })
            #expect(Set(found.realServers.map(\.server)) == Set(reals), "\(server.key)")
            #expect(found.realServers.count == reals.count)
        }
    }

    /// Replies are read a page at a time (`IPVSNetlinkClient.replySlot`), so the kernel builds page-sized dump
    /// messages: a virtual server of 600 real servers and a table of 300 virtual servers each come in many, and are
    /// read whole, by the table's dump and by a re-read of some virtual servers.
    @Test func dumpsLargerThanAPageAreReadWhole() throws {
        var rules = "-A -t 10.96.1.1:80 -s rr\n"
        for index in 0..<600 {
            rules += "-a -t 10.96.1.1:80 -r 10.245.\(index / 200).\(index % 200 + 1):8080 -m -w 1\n"
        }
        for index in 0..<300 { rules += "-A -u 10.96.2.\(index % 250 + 1):\(53 + index / 250) -s wlc\n" }
        let restore = try LabShell.run("ipvsadm", ["-R"], input: rules)
        #expect(restore.status == 0, "\(restore.stderr)")
        let key = VirtualServerKey.service(.tcp, try Self.ip("10.96.1.1"), port: 80)
        let table = try client.virtualServers()
        #expect(table.count == 301)
        #expect(table.first { $0.server.key == key }?.realServers.count == 600)
        let some = [key, .service(.udp, try Self.ip("10.96.2.1"), port: 53)]
        let reread = try client.virtualServers(some)
        #expect(reread.map { $0?.realServers.count } == [600, 0])
        let addresses = Set(try #require(reread[0]).realServers.map(\.server.address.description))
        #expect(addresses.count == 600 && addresses.contains("10.245.2.200"))
    }
}
}
