import Values
import Foundation
import IPVS
import Logging
import Testing

/// Every error the kernel gives, triggered for real, and the batch API under a mix of good and bad operations.
extension IPVSLab {
@Suite(.serialized)
struct IPVSErrorLabTests {
    let client: IPVSNetlinkClient
    let key: VirtualServerKey
    let real: RealServer

    init() throws {
        try LabShell.prepareNetwork()
        client = try IPVSNetlinkClient(logger: Logger(label: "lab"))
        try client.flush()
        key = .service(.tcp, try #require(IPAddress("10.96.0.20")), port: 80)
        real = RealServer(address: try #require(IPAddress("10.244.5.5")), port: 80)
    }

    func expectError(_ code: IPVSErrorCode, errno: Int32, containing text: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("no error; expected \(code)")
        } catch let error as IPVSError {
            #expect(error.code == code, "\(error)")
            #expect(error.errno == errno, "\(error)")
            #expect(error.message.contains(text), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func alreadyExists() throws {
        try client.add(VirtualServer(key: key))
        expectError(.alreadyExists, errno: EEXIST, containing: "TCP 10.96.0.20:80") {
            try client.add(VirtualServer(key: key))
        }
        try client.add(real, to: key)
        expectError(.alreadyExists, errno: EEXIST, containing: "10.244.5.5:80") { try client.add(real, to: key) }
    }

    @Test func missingObjects() throws {
        expectError(.notFound, errno: ESRCH, containing: "TCP 10.96.0.20:80 does not exist") { try client.delete(key) }
        expectError(.notFound, errno: ESRCH, containing: "does not exist") { try client.add(real, to: key) }
        expectError(.notFound, errno: ESRCH, containing: "does not exist") {
            try client.update(VirtualServer(key: key))
        }
        try client.add(VirtualServer(key: key))
        expectError(.notFound, errno: ENOENT, containing: "real server 10.244.5.5:80 of TCP 10.96.0.20:80") {
            try client.delete(real.endpoint, from: key)
        }
        expectError(.notFound, errno: ENOENT, containing: "10.244.5.5:80") { try client.update(real, in: key) }
    }

    @Test func unknownScheduler() {
        expectError(.unknownScheduler, errno: ENOENT, containing: "`modprobe ip_vs_nosuchsched`") {
            try client.add(VirtualServer(key: key, scheduler: "nosuchsched"))
        }
    }

    @Test func invalidArgument() throws {
        try client.add(VirtualServer(key: key))
        let multicast = RealServer(address: try #require(IPAddress("224.0.0.1")), port: 80)
        expectError(.invalidArgument, errno: EINVAL, containing: "real server 224.0.0.1:80 of TCP 10.96.0.20:80") {
            try client.add(multicast, to: key)
        }
        let v6 = VirtualServerKey.service(.tcp, try #require(IPAddress("fd00::20")), port: 80)
        expectError(.invalidArgument, errno: EINVAL, containing: "virtual server TCP [fd00::20]:80") {
            try client.add(VirtualServer(key: v6, persistence: Persistence(timeout: 10, prefixLength: 0)))
        }
    }

    @Test func permissionDeniedWithoutNetAdmin() throws {
        let binary = FileManager.default.currentDirectoryPath + "/.build/debug/ipvs-proxy"
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the ipvs-proxy executable first")
        let output = try LabShell.run(
            "setpriv", ["--bounding-set=-net_admin", "--inh-caps=-net_admin", binary, "status"])
        #expect(output.status != 0)
        #expect(output.stderr.contains("CAP_NET_ADMIN"), "\(output.stderr)")
    }

    @Test func batchReportsEachOperation() throws {
        let other = VirtualServerKey.service(.udp, try #require(IPAddress("10.96.0.21")), port: 53)
        let missing = VirtualServerKey.firewallMark(404, family: .ipv4)
        let multicast = RealServer(address: try #require(IPAddress("224.0.0.9")), port: 80)
        let operations: [IPVSOperation] = [
            .addVirtualServer(VirtualServer(key: key)),
            .addVirtualServer(VirtualServer(key: key)),
            .addRealServer(real, to: key),
            .addRealServer(real, to: missing),
            .addRealServer(multicast, to: key),
            .addVirtualServer(VirtualServer(key: other, scheduler: "bogus")),
            .addVirtualServer(VirtualServer(key: other, scheduler: .roundRobin)),
            .deleteRealServer(multicast.endpoint, from: key),
        ]
        let results = client.apply(operations)
        #expect(results.count == operations.count)
        let codes = results.map { result -> IPVSErrorCode? in
            if case .failure(let error) = result { return error.code }
            return nil
        }
        #expect(codes == [nil, .alreadyExists, nil, .notFound, .invalidArgument, .unknownScheduler, nil, .notFound])
        if case .failure(let error) = results[3] {
            #expect(error.object == operations[3].object)
            #expect(error.errno == ESRCH)
        }
        let table = try client.virtualServers()
        #expect(Set(table.map(\.server.key)) == [key, other])
        #expect(table.first { $0.server.key == key }?.realServers.map(\.server) == [real])
    }

    /// More operations than one window, more services than one dump window, and one service whose real servers
    /// overflow a dump datagram (so dumps must wait for one another).
    @Test func largeBatchAndDump() throws {
        var operations: [IPVSOperation] = []
        for index in 0..<600 {
            let service = VirtualServerKey.service(
                .tcp, .v4(IPv4Address(10, 97, UInt8(index / 256), UInt8(index % 256))), port: 80)
            operations.append(.addVirtualServer(VirtualServer(key: service, scheduler: .roundRobin)))
            for host in 1...5 {
                operations.append(
                    .addRealServer(
                        RealServer(address: .v4(IPv4Address(10, 244, UInt8(host), UInt8(index % 250 + 1))), port: 80),
                        to: service))
            }
        }
        let big = VirtualServerKey.service(.tcp, .v4(IPv4Address(10, 98, 0, 1)), port: 80)
        operations.append(.addVirtualServer(VirtualServer(key: big)))
        for host in 0..<400 {
            operations.append(
                .addRealServer(
                    RealServer(address: .v4(IPv4Address(10, 244, 100 + UInt8(host / 200), UInt8(host % 200 + 1))),
                               port: 8080), to: big))
        }
        let failures = client.apply(operations).compactMap { result -> IPVSError? in
            if case .failure(let error) = result { return error }
            return nil
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        let table = try client.virtualServers()
        #expect(table.count == 601)
        #expect(table.reduce(0) { $0 + $1.realServers.count } == 600 * 5 + 400)
        #expect(table.first { $0.server.key == big }?.realServers.count == 400)
        let ipvsadm = try LabShell.run("ipvsadm", ["-Sn"]).stdout
        #expect(ipvsadm.split(separator: "\n").count == 601 + 3400)
    }
}
}
