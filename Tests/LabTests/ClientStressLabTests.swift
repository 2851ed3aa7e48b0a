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
}
