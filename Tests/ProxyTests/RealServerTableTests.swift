import IPVS
import Testing
import Values

@testable import Proxy

@Suite struct RealServerTableTests {
    func endpoints(_ table: RealServerTable) -> [String] { table.keys.map(\.description) }

    @Test func realServersAreKeptInEndpointOrderAndTheFirstOfADuplicateWins() {
        let table = RealServerTable([
            F.rs("10.244.0.11", 8080), F.rs("10.244.0.2", 8080, weight: 3), F.rs("10.244.0.11", 80),
            F.rs("10.244.0.2", 8080, weight: 7), F.rs("fd00::1", 8080), F.rs("10.244.0.10", 8080),
        ])
        #expect(
            endpoints(table) == [
                "10.244.0.2:8080", "10.244.0.10:8080", "10.244.0.11:80", "10.244.0.11:8080", "[fd00::1]:8080",
            ])
        #expect(table[F.rs("10.244.0.2", 8080).endpoint]?.weight == 3)
        #expect(table.count == 5)
        // The same real servers in another order make an equal table (and hash alike).
        let shuffled = RealServerTable(table.values.reversed())
        #expect(shuffled == table)
        #expect(Set([shuffled, table]).count == 1)
    }

    @Test func settingByEndpointInsertsReplacesAndRemovesInPlace() {
        var table = RealServerTable([F.rs("10.244.0.10", 8080), F.rs("10.244.0.30", 8080)])
        table[F.rs("10.244.0.20", 8080).endpoint] = F.rs("10.244.0.20", 8080)
        table[F.rs("10.244.0.1", 8080).endpoint] = F.rs("10.244.0.1", 8080)
        table[F.rs("10.244.0.40", 8080).endpoint] = F.rs("10.244.0.40", 8080)
        #expect(
            endpoints(table) == [
                "10.244.0.1:8080", "10.244.0.10:8080", "10.244.0.20:8080", "10.244.0.30:8080", "10.244.0.40:8080",
            ])
        table[F.rs("10.244.0.20", 8080).endpoint]?.weight = 0
        #expect(table.values.map(\.weight) == [1, 1, 0, 1, 1])
        table[F.rs("10.244.0.10", 8080).endpoint] = nil
        table[F.rs("10.244.0.99", 8080).endpoint] = nil
        #expect(endpoints(table) == ["10.244.0.1:8080", "10.244.0.20:8080", "10.244.0.30:8080", "10.244.0.40:8080"])
        #expect(table[F.rs("10.244.0.10", 8080).endpoint] == nil)
        // A real server set under another endpoint takes that endpoint's place and goes under its own.
        table[F.rs("10.244.0.30", 8080).endpoint] = F.rs("10.244.0.5", 8080)
        #expect(endpoints(table) == ["10.244.0.1:8080", "10.244.0.5:8080", "10.244.0.20:8080", "10.244.0.40:8080"])
        table.removeAll { $0.weight == 0 }
        #expect(endpoints(table) == ["10.244.0.1:8080", "10.244.0.5:8080", "10.244.0.40:8080"])
    }

    @Test func aDictionaryLiteralKeepsEachUnderItsOwnEndpoint() {
        let real = F.rs("10.244.0.7", 53)
        let table: RealServerTable = [real.endpoint: real]
        #expect(table.values == [real])
        #expect(RealServerTable().isEmpty)
    }
}
