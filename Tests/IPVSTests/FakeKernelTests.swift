import Glibc
import IPVS
import TestSupport
import Testing
import Values

/// The tests' one fake kernel must answer as the lab kernel does (IPVSErrorLabTests checks the same cases for
/// real).
@Suite struct FakeKernelTests {
    static let key = VirtualServerKey.service(.tcp, .v4(IPv4Address(10, 96, 0, 20)), port: 80)
    static let other = VirtualServerKey.service(.udp, .v4(IPv4Address(10, 96, 0, 21)), port: 53)
    static let real = RealServer(address: .v4(IPv4Address(10, 244, 5, 5)), port: 80)

    @Test func batchAnswersLikeTheKernel() throws {
        let kernel = FakeKernel()
        let operations: [IPVSOperation] = [
            .addVirtualServer(VirtualServer(key: Self.key)),
            .addVirtualServer(VirtualServer(key: Self.key)),
            .addRealServer(Self.real, to: Self.key),
            .addRealServer(Self.real, to: .firewallMark(404, family: .ipv4)),
            .addVirtualServer(VirtualServer(key: Self.other, scheduler: "bogus")),
            .addVirtualServer(VirtualServer(key: Self.other, scheduler: .roundRobin)),
            .deleteRealServer(RealServerEndpoint(address: .v4(IPv4Address(1, 2, 3, 4)), port: 1), from: Self.key),
            .updateRealServer(RealServer(address: Self.real.address, port: 80, weight: -1), in: Self.key),
        ]
        let errnos = kernel.apply(operations).map { result -> Int32? in
            if case .failure(let error) = result { return error.errno }
            return nil
        }
        #expect(errnos == [nil, EEXIST, nil, ESRCH, ENOENT, nil, ENOENT, ERANGE])
        #expect(Set(try kernel.virtualServers().map(\.server.key)) == [Self.key, Self.other])
        #expect(try kernel.virtualServer(Self.key)?.realServers.map(\.server) == [Self.real])
        #expect(kernel.journal.count == operations.count)
        #expect(kernel.applied == operations)
    }

    @Test func startsWithServersAndListsNewestFirst() throws {
        let kernel = FakeKernel([VirtualServerState(server: VirtualServer(key: Self.other))])
        try kernel.add(VirtualServer(key: Self.key))
        try kernel.add(Self.real, to: Self.key)
        let second = RealServer(address: .v4(IPv4Address(10, 244, 5, 6)), port: 80)
        try kernel.add(second, to: Self.key)
        #expect(try kernel.virtualServers().map(\.server.key) == [Self.key, Self.other])
        #expect(try kernel.virtualServer(Self.key)?.realServers.map(\.server) == [second, Self.real])
        #expect(Set(kernel.table.keys) == [Self.key, Self.other])
    }

    @Test func refusesChosenOperationsUntilAllowed() throws {
        let kernel = FakeKernel()
        let add = IPVSOperation.addVirtualServer(VirtualServer(key: Self.key))
        kernel.refuse(add)
        #expect(throws: IPVSError.self) { try kernel.apply(add) }
        #expect(kernel.table.isEmpty)
        kernel.allow(add)
        try kernel.apply(add)
        #expect(kernel.table[Self.key] != nil)
        #expect(kernel.applied == [add, add])
    }

    @Test func updateDeleteFlushAndTimeouts() throws {
        let kernel = FakeKernel()
        try kernel.add(VirtualServer(key: Self.key))
        try kernel.add(Self.real, to: Self.key)
        var changed = Self.real
        changed.weight = 0
        try kernel.update(changed, in: Self.key)
        #expect(try kernel.virtualServer(Self.key)?.realServers.first?.server.weight == 0)
        try kernel.delete(changed.endpoint, from: Self.key)
        try kernel.delete(Self.key)
        #expect(throws: IPVSError.self) { try kernel.delete(Self.key) }
        try kernel.add(VirtualServer(key: Self.other))
        try kernel.flush()
        #expect(try kernel.virtualServers().isEmpty)
        try kernel.setTimeouts(IPVSTimeouts(tcp: 0, tcpFin: 30, udp: 0))
        #expect(try kernel.timeouts() == IPVSTimeouts(tcp: 900, tcpFin: 30, udp: 300))
    }
}
