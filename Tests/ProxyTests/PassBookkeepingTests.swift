import IPVS
import Logging
import TestSupport
import Testing
import Values

@testable import Proxy

/// The bookkeeping after a pass costs what the pass changed, not what the kernel holds, and says the same as the
/// whole-table computations it replaced: the actual state after a batch of applied operations, the owned
/// virtual and real servers (the gauges), and the stale conntrack rules.
@Suite struct PassBookkeepingTests {
    static let web = F.web
    static let dns = F.key(.udp, F.vip, 53)
    static let a = F.rs("10.244.0.1", 8080)
    static let b = F.rs("10.244.0.2", 8080)
    static let c = F.rs("10.244.0.3", 8080)

    /// What recording one operation at a time did before batches (the oracle).
    static func sequential(
        _ start: ActualState, _ operations: [IPVSOperation]
    ) -> [VirtualServerKey: KnownVirtualServer] {
        var servers = start.virtualServers
        for operation in operations {
            switch operation {
            case .addVirtualServer(let server): servers[server.key] = KnownVirtualServer(server: server)
            case .updateVirtualServer(let server): servers[server.key]?.server = server
            case .deleteVirtualServer(let key): servers[key] = nil
            case .addRealServer(let real, let key):
                guard servers[key] != nil else { continue }
                servers[key]?.realServers[real.endpoint] = real
                servers[key]?.drainingConnections[real.endpoint] = nil
            case .updateRealServer(let real, let key):
                guard servers[key]?.realServers[real.endpoint] != nil else { continue }
                servers[key]?.realServers[real.endpoint] = real
                if real.weight != 0 { servers[key]?.drainingConnections[real.endpoint] = nil }
            case .deleteRealServer(let endpoint, let key):
                servers[key]?.realServers[endpoint] = nil
                servers[key]?.drainingConnections[endpoint] = nil
            }
        }
        return servers
    }

    struct Batch: Sendable, CustomStringConvertible {
        var description: String
        var operations: [IPVSOperation]
    }

    static var drained: RealServer {
        var real = a
        real.weight = 0
        return real
    }

    /// A real server found at weight 0 with connections left: the one whose counts are kept.
    static let draining = F.rs("10.244.0.4", 8080, weight: 0)

    static var thresholded: RealServer {
        var real = draining
        real.upperThreshold = 9
        return real
    }

    static let batches: [Batch] = [
        Batch(
            description: "the draining real server left at weight 0, then put back to work",
            operations: [.updateRealServer(draining, in: web), .updateRealServer(F.rs("10.244.0.4", 8080), in: web)]),
        Batch(
            description: "the draining real server deleted and added again",
            operations: [.deleteRealServer(draining.endpoint, from: web), .addRealServer(draining, to: web)]),
        Batch(
            description: "adds alone, out of endpoint order, one endpoint twice",
            operations: [
                .addVirtualServer(F.vs(dns)), .addRealServer(b, to: dns), .addRealServer(a, to: dns),
                .addRealServer(F.rs("10.244.0.2", 8080, weight: 4), to: dns),
            ]),
        Batch(
            description: "the draining real server changed at weight 0",
            operations: [.updateRealServer(thresholded, in: web)]),
        Batch(
            description: "every real server deleted",
            operations: [a, b, c].map { .deleteRealServer($0.endpoint, from: web) }),
        Batch(
            description: "drained, then deleted",
            operations: [.updateRealServer(drained, in: web), .deleteRealServer(a.endpoint, from: web)]),
        Batch(description: "deleted, then added back, then updated", operations: [
            .deleteRealServer(b.endpoint, from: web), .addRealServer(b, to: web),
            .updateRealServer(F.rs("10.244.0.2", 8080, weight: 5), in: web),
        ]),
        Batch(description: "an update after a delete finds nothing", operations: [
            .deleteRealServer(c.endpoint, from: web), .updateRealServer(c, in: web),
        ]),
        Batch(description: "the virtual server deleted and made again mid-batch", operations: [
            .deleteRealServer(a.endpoint, from: web), .deleteVirtualServer(web), .addVirtualServer(F.vs(web)),
            .addRealServer(c, to: web), .deleteRealServer(b.endpoint, from: web),
        ]),
        Batch(description: "operations on a virtual server that is not there", operations: [
            .addRealServer(a, to: dns), .updateRealServer(a, in: dns), .deleteRealServer(a.endpoint, from: dns),
        ]),
        Batch(description: "a new virtual server filled and thinned", operations: [
            .addVirtualServer(F.vs(dns)), .addRealServer(a, to: dns), .addRealServer(b, to: dns),
            .deleteRealServer(a.endpoint, from: dns), .updateRealServer(F.rs("10.244.0.2", 8080, weight: 3), in: dns),
        ]),
    ]

    @Test(arguments: batches)
    func aBatchRecordsWhatOneOperationAtATimeDid(_ batch: Batch) {
        var web = F.state(F.vs(Self.web), [Self.a, Self.b, Self.c])
        web.realServers.append(RealServerState(server: Self.draining, activeConnections: 2, inactiveConnections: 1))
        let start = ActualState(virtualServers: [web])
        #expect(start.virtualServers[Self.web]?[Self.draining.endpoint]?.activeConnections == 2)
        var actual = start
        actual.record(batch.operations)
        #expect(actual.virtualServers == Self.sequential(start, batch.operations))
        var oneByOne = start
        for operation in batch.operations { oneByOne.record(operation) }
        #expect(oneByOne == actual)
    }

    @Test func emptyingALargeVirtualServerInOneBatchLeavesItEmpty() {
        let reals = (0..<30_000).map {
            RealServer(address: .v4(IPv4Address(10, 128, UInt8($0 / 250), UInt8($0 % 250 + 1))), port: 53)
        }
        var actual = ActualState(virtualServers: [F.state(F.vs(Self.dns), reals)])
        actual.record(reals.map { .deleteRealServer($0.endpoint, from: Self.dns) })
        #expect(actual.virtualServers[Self.dns]?.realServers.isEmpty == true)
        #expect(actual.virtualServers[Self.dns]?.server == F.vs(Self.dns))
    }

    /// The owned virtual and real servers, counted over the whole table (what every pass did before).
    static func counted(_ actual: ActualState, _ ownership: Ownership) -> [Int] {
        let owned = actual.virtualServers.filter { ownership.owns($0.key) }
        return [owned.count, owned.values.reduce(0) { $0 + $1.realServers.count }]
    }

    @Test func theTallyFollowsTheRecordAndTheLinkAddresses() {
        let other = F.key(.tcp, "10.96.0.20", 80)
        let mark = VirtualServerKey.firewallMark(7, family: .ipv4)
        var actual = ActualState(
            virtualServers: [
                F.state(F.vs(Self.web), [Self.a, Self.b]), F.state(F.vs(Self.dns), [Self.c]),
                F.state(F.vs(other), [Self.a]), F.state(F.vs(mark), [Self.b]),
            ],
            linkAddresses: [F.ip(F.vip)])
        var ownership = Ownership(
            linkAddresses: actual.linkAddresses,
            record: OwnershipRecord(virtualServers: [Self.web], foreign: [Self.dns]))
        var tally = OwnedTally(actual: actual, ownership: ownership)
        #expect([tally.virtualServers, tally.realServers] == Self.counted(actual, ownership))
        #expect([tally.virtualServers, tally.realServers] == [1, 2], "dns is foreign, other is not on the link")
        // `other` is in neither list: its address coming onto the link makes it the proxy's.
        actual.bound(F.ip("10.96.0.20"))
        ownership.linkAddresses = actual.linkAddresses
        tally.update([VirtualServerKey](), addresses: [F.ip("10.96.0.20")], actual: actual, ownership: ownership)
        #expect([tally.virtualServers, tally.realServers] == Self.counted(actual, ownership))
        #expect([tally.virtualServers, tally.realServers] == [2, 3])
        actual.record([.deleteRealServer(Self.a.endpoint, from: Self.web), .deleteVirtualServer(other)])
        tally.update([Self.web, other], addresses: [], actual: actual, ownership: ownership)
        #expect([tally.virtualServers, tally.realServers] == Self.counted(actual, ownership))
        ownership.record.foreign = []
        ownership.record.virtualServers.insert(Self.dns)
        tally.update([Self.dns], addresses: [], actual: actual, ownership: ownership)
        #expect([tally.virtualServers, tally.realServers] == Self.counted(actual, ownership))
        #expect([tally.virtualServers, tally.realServers] == [2, 2])
    }

    /// Whether the actual state holds each desired virtual server's table itself (one copy), and what it holds.
    static func shared(_ reconciler: Reconciler, _ desired: DesiredState) -> [VirtualServerKey: Bool] {
        desired.virtualServers.compactMapValues { server in
            reconciler.actual.virtualServers[server.key].map {
                $0.realServers == server.realServers && $0.realServers.sharesStorage(with: server.realServers)
            }
        }
    }

    @Test func afterAPassTheActualStateHoldsTheDesiredTablesThemselves() throws {
        // UDP virtual servers: their departing real servers go at once, not drained first.
        let kept = F.key(.udp, "10.96.0.30", 53)
        // Found in the kernel on the proxy's link (a restart), in another order than desired: nothing to do, and
        // still one copy after.
        let kernel = FakeKernel([F.state(F.vs(kept), [Self.c, Self.a])])
        let link = FakeLink(addresses: [F.ip("10.96.0.30")])
        var reconciler = Reconciler(kernel: kernel, link: link, logger: Logger(label: "test"))
        try reconciler.adopt()
        let first = DesiredState(
            virtualServers: [
                DesiredVirtualServer(server: F.vs(Self.dns), realServers: [Self.a, Self.b]),
                DesiredVirtualServer(server: F.vs(kept), realServers: [Self.a, Self.c]),
            ],
            boundAddresses: [F.ip(F.vip), F.ip("10.96.0.30")])
        #expect(reconciler.sync(first).plan.operations.count == 3, "dns and its two real servers")
        #expect(Self.shared(reconciler, first) == [Self.dns: true, kept: true])
        // One virtual server changed in a pass of its own: it shares the new table, the other keeps the old one.
        var second = first
        second.virtualServers[Self.dns]?.realServers = RealServerTable([Self.b, Self.c])
        let report = reconciler.sync(second, scope: .only(virtualServers: [Self.dns], addresses: []))
        #expect(report.plan.operations.count == 2)
        #expect(Self.shared(reconciler, second) == [Self.dns: true, kept: true])
        // A refused operation leaves the kernel's table apart from the desired one.
        var third = second
        third.virtualServers[kept]?.realServers = RealServerTable([Self.b])
        kernel.refuse(.addRealServer(Self.b, to: kept))
        #expect(!reconciler.sync(third, scope: .only(virtualServers: [kept], addresses: [])).failures.isEmpty)
        #expect(Self.shared(reconciler, third) == [Self.dns: true, kept: false])
        #expect(reconciler.actual.virtualServers[kept]?.realServers.isEmpty == true, "a and c were deleted")
    }

    @Test func theReconcilersTallyAfterPartialPassesMatchesACountOfTheTable() throws {
        let foreign = F.state(F.vs(F.key(.tcp, "10.96.0.30", 80)), [Self.a])
        let kernel = FakeKernel([foreign])
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test"))
        try reconciler.adopt()
        let vip = F.ip(F.vip)
        let steps: [DesiredState] = [
            DesiredState(
                virtualServers: [DesiredVirtualServer(server: F.vs(Self.web), realServers: [Self.a, Self.b])],
                boundAddresses: [vip]),
            DesiredState(
                virtualServers: [
                    DesiredVirtualServer(server: F.vs(Self.web), realServers: [Self.a, Self.b]),
                    DesiredVirtualServer(server: F.vs(Self.dns), realServers: [Self.a, Self.b, Self.c]),
                ],
                boundAddresses: [vip]),
            DesiredState(
                virtualServers: [DesiredVirtualServer(server: F.vs(Self.dns), realServers: [Self.c])],
                boundAddresses: [vip]),
            DesiredState(),
        ]
        var previous = DesiredState()
        for desired in steps {
            let keys = Set(desired.virtualServers.keys).union(previous.virtualServers.keys)
            let addresses = desired.boundAddresses.union(previous.boundAddresses)
            _ = reconciler.sync(desired, scope: .only(virtualServers: keys, addresses: addresses))
            let tally = reconciler.owned
            #expect([tally.virtualServers, tally.realServers] == Self.counted(reconciler.actual, reconciler.ownership))
            previous = desired
        }
        #expect([reconciler.owned.virtualServers, reconciler.owned.realServers] == [0, 0])
        #expect(reconciler.actual.virtualServers.count == 1, "the foreign virtual server stays")
    }

    @Test(arguments: StaleFlowRulesTests.rows, StaleFlowRulesTests.families)
    func theIncrementalConntrackRulesAreTheWholeStatesRules(
        _ row: StaleFlowRulesTests.Row, _ f: StaleFlowRulesTests.Family
    ) {
        let (old, new) = (row.old(f), row.new(f))
        var frontends = CleanedFrontends()
        let first = frontends.update(old ?? DesiredState(), touched: nil)
        #expect(first == StaleFlowRules.after(nil, old ?? DesiredState()))
        let before = old ?? DesiredState()
        let changed = Set(before.virtualServers.keys).union(new.virtualServers.keys).filter {
            before.virtualServers[$0] != new.virtualServers[$0]
        }
        let expected = StaleFlowRules.after(before, new)
        var copy = frontends
        #expect(frontends.update(new, touched: changed) == expected)
        // Touching more than changed gives the same rules.
        #expect(copy.update(new, touched: Set(before.virtualServers.keys).union(new.virtualServers.keys)) == expected)
        #expect(frontends.update(new, touched: changed) == nil, "nothing changed since")
    }
}
