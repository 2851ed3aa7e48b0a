import Values
import IPVS
import Logging
import Testing

/// One long-lived netlink client doing what the proxy does, step after step: a batch, then a read of one
/// virtual server, and now and then a full dump. After every step its results, its read and ipvsadm's view must agree.
@Suite(.serialized, Lab.only) struct ClientStressLabTests {
    @Test func longLivedClientAgreesWithIpvsadmAfterEveryStep() throws {
        try LabShell.prepareNetwork()
        let client = try IPVSNetlinkClient(logger: Logger(label: "stress"))
        let vip = try #require(IPAddress("10.96.9.1"))
        let key = VirtualServerKey.service(.tcp, vip, port: 80)
        _ = client.apply([.addVirtualServer(VirtualServer(key: key, scheduler: .roundRobin))])
        var expected: [Int: Int32] = [:]
        var generator = SystemRandomNumberGenerator()
        for step in 0..<80 {
            var operations: [IPVSOperation] = []
            var touched = Set<Int>()
            for _ in 0..<3 {
                let suffix = Int.random(in: 10...17, using: &generator)
                guard touched.insert(suffix).inserted, let address = IPAddress("10.244.0.\(suffix)") else { continue }
                let endpoint = RealServerEndpoint(address: address, port: 80)
                if let weight = expected[suffix] {
                    if Bool.random(using: &generator) {
                        operations.append(.updateRealServer(RealServer(address: address, port: 80, weight: 1 - weight), in: key))
                        expected[suffix] = 1 - weight
                    } else {
                        operations.append(.deleteRealServer(endpoint, from: key))
                        expected[suffix] = nil
                    }
                } else {
                    operations.append(.addRealServer(RealServer(address: address, port: 80), to: key))
                    expected[suffix] = 1
                }
            }
            let results = client.apply(operations)
            let failures = results.enumerated().filter { if case .failure = $0.element { true } else { false } }
            #expect(failures.isEmpty, "step \(step): \(failures) for \(operations)")
            let want = expected.map { "10.244.0.\($0.key)=\($0.value)" }.sorted()
            let ours = try client.virtualServer(key)?.realServers.map { "\($0.server.address)=\($0.server.weight)" }.sorted()
            let peer = try ProxyLab.peer("10.96.9.1")
            #expect(peer == want, "step \(step): ipvsadm \(peer ?? []) after \(operations)")
            #expect(ours == want, "step \(step): our read \(ours ?? []) after \(operations)")
            if step % 10 == 0 {
                let dumped = try client.virtualServers().first { $0.server.key == key }?.realServers
                    .map { "\($0.server.address)=\($0.server.weight)" }.sorted()
                #expect(dumped == want, "step \(step): our full dump \(dumped ?? [])")
            }
        }
        _ = client.apply([.deleteVirtualServer(key)])
    }

    /// The proxy's pattern when an endpoint goes: drain (weight 0) in one batch, delete in the next, from one
    /// long-lived client; right after each, a fresh client (a new socket, as `status` or a test opens) and ipvsadm
    /// read the virtual server. Every reader must see the write that was acknowledged before it asked.
    @Test func freshReadersSeeEveryAcknowledgedDrainAndDelete() throws {
        try LabShell.prepareNetwork()
        let writer = try IPVSNetlinkClient(logger: Logger(label: "writer"))
        let vip = try #require(IPAddress("10.96.9.2"))
        let key = VirtualServerKey.service(.tcp, vip, port: 80)
        let reals = try (10...12).map { RealServer(address: try #require(IPAddress("10.244.0.\($0)")), port: 80) }
        _ = writer.apply([.addVirtualServer(VirtualServer(key: key, scheduler: .roundRobin))])
        func read() throws -> [String]? {
            try IPVSNetlinkClient(logger: Logger(label: "reader")).virtualServer(key)?.realServers
                .map { "\($0.server.address)=\($0.server.weight)" }.sorted()
        }
        for round in 0..<25 {
            #expect(writer.apply(reals.map { .addRealServer($0, to: key) }).allSatisfy { (try? $0.get()) != nil })
            var drained = reals[1]
            drained.weight = 0
            let drain = writer.apply([.updateRealServer(drained, in: key)])
            #expect((try? drain[0].get()) != nil, "round \(round): drain \(drain)")
            let afterDrain = ["10.244.0.10=1", "10.244.0.11=0", "10.244.0.12=1"]
            #expect(try read() == afterDrain, "round \(round): a fresh reader after the drain")
            let delete = writer.apply([.deleteRealServer(drained.endpoint, from: key)])
            #expect((try? delete[0].get()) != nil, "round \(round): delete \(delete)")
            let afterDelete = ["10.244.0.10=1", "10.244.0.12=1"]
            let fresh = try read()
            let peer = try ProxyLab.peer("10.96.9.2")
            let again = try read()
            #expect(fresh == afterDelete, "round \(round): a fresh reader after the delete: \(fresh ?? [])")
            #expect(peer == afterDelete, "round \(round): ipvsadm after the delete: \(peer ?? [])")
            #expect(again == afterDelete, "round \(round): a fresh reader after ipvsadm: \(again ?? [])")
            let cleared = writer.apply([reals[0], reals[2]].map { .deleteRealServer($0.endpoint, from: key) })
            #expect(cleared.allSatisfy { (try? $0.get()) != nil })
        }
        _ = writer.apply([.deleteVirtualServer(key)])
    }
}
