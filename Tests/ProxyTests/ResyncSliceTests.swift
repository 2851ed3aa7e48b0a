import IPVS
import Kube
import Logging
import TestSupport
import Testing
import Values

@testable import Proxy

/// The periodic resync re-reads and re-plans the table a slice at a time (``ReconcileLoop/resync``), between
/// passes for changes: it repairs what was changed behind the proxy's back as a full re-read would, and a change
/// arriving meanwhile waits behind one slice, not the whole table.
@Suite struct ResyncSliceTests {
    static let spec = """
          clusterIP: 10.96.0.10
          ports:
          - {name: http, protocol: TCP, port: 80, targetPort: 8080}
          - {name: dns, protocol: UDP, port: 53, targetPort: 5353}
        """

    /// A loop over `kernel` whose resync slices read one virtual server each, after its first full sync of `web`
    /// (two virtual servers) with endpoints `.10` and `.11`.
    static func synced(
        _ kernel: FakeKernel, _ link: FakeLink, minSyncPeriod: Duration = .zero
    ) throws -> ReconcileLoop {
        var reconciler = Reconciler(kernel: kernel, link: link, logger: Logger(label: "test"))
        try reconciler.adopt()
        var loop = ReconcileLoop(
            reconciler: reconciler, tracker: DesiredStateTracker(configuration: ProxyConfiguration()),
            syncPeriod: .seconds(30), minSyncPeriod: minSyncPeriod)
        loop.resyncSlice = .zero
        loop.resyncChunk = 1
        _ = try loop.handle(
            [
                .event(.change(.upsert(.service(try Objects.web(spec: spec))))),
                .event(.change(.upsert(.endpointSlice(try slice(["10.244.0.10", "10.244.0.11"]))))),
                .event(.synced),
            ], now: F.t0)
        return loop
    }

    static func slice(_ addresses: [String]) throws -> ValidatedEndpointSlice {
        try Objects.webSlice(endpoints: addresses.map { Objects.ready($0) })
    }

    static func reals(_ kernel: FakeKernel, _ key: VirtualServerKey) -> Set<String> {
        Set(kernel.table[key]?.realServers.map { "\($0.server.address)" } ?? [])
    }

    static func passes(_ outcome: ReconcileLoop.Outcome) -> [PassReport] {
        outcome.reports.compactMap { if case .pass(let pass) = $0 { pass } else { nil } }
    }

    @Test func driftBehindTheProxysBackIsRepairedOneSliceAtATimeWithoutReadingTheWholeTable() throws {
        let kernel = FakeKernel()
        let link = FakeLink()
        var loop = try Self.synced(kernel, link)
        let wanted = [F.web: Self.reals(kernel, F.web), F.dns: Self.reals(kernel, F.dns)]
        #expect(kernel.table.count == 2 && wanted[F.web]?.count == 2)
        // Someone deletes a real server, a virtual server and the VIP.
        _ = kernel.apply([
            .deleteRealServer(F.rs("10.244.0.10", 8080).endpoint, from: F.web), .deleteVirtualServer(F.dns),
        ])
        try link.remove(F.ip(F.vip))
        let (fullReads, singleReads) = (kernel.fullReads, kernel.singleReads)

        let now = F.t0 + .seconds(30)
        var outcome = try loop.handle([.tick], now: now)
        var slices = 1
        #expect(link.addressSet == [F.ip(F.vip)], "the first slice reads the link and binds the VIP again")
        while loop.resync != nil {
            #expect(outcome.wakeAt == now, "the next slice is due at once")
            outcome = try loop.handle([.tick], now: now)
            slices += 1
        }
        #expect(slices == 2, "one virtual server a slice")
        #expect(outcome.wakeAt == now + .seconds(30), "then nothing until the next resync")
        #expect(Set(kernel.table.keys) == [F.web, F.dns])
        #expect([F.web: Self.reals(kernel, F.web), F.dns: Self.reals(kernel, F.dns)] == wanted)
        #expect(kernel.fullReads == fullReads, "the table is not read whole")
        #expect(kernel.singleReads == singleReads + 2)
        #expect(loop.lastFullSync == now)
        // Nothing more until the next period.
        #expect(Self.passes(try loop.handle([.tick], now: now + .seconds(29))).isEmpty)
        #expect(Self.passes(try loop.handle([.tick], now: now + .seconds(30))).count == 1)
    }

    /// With no clock tick, the loop's outcome is what wakes it: the earliest of its timed work.
    @Test func theLoopNamesItsNextTimedWorkADrainCheckThenTheResync() throws {
        let kernel = FakeKernel()
        var loop = try Self.synced(kernel, FakeLink())
        let departing = F.rs("10.244.0.11", 8080).endpoint
        kernel.setConnections(departing, of: F.web, active: 1)
        let now = F.t0 + .seconds(5)
        let drained = try loop.handle(
            [.event(.change(.upsert(.endpointSlice(try Self.slice(["10.244.0.10"])))))], now: now)
        #expect(
            kernel.table[F.web]?.realServers.contains { $0.server.endpoint == departing && $0.server.weight == 0 }
                == true)
        #expect(drained.wakeAt == now + .seconds(1), "the drain check comes before the resync")
        kernel.setConnections(departing, of: F.web, active: 0)
        let checked = try loop.handle([.tick], now: now + .seconds(1))
        #expect(Self.reals(kernel, F.web) == ["10.244.0.10"])
        #expect(checked.wakeAt == F.t0 + .seconds(30), "nothing drains: the resync is next")
    }

    @Test func aChangeArrivingDuringAResyncIsProgrammedBeforeTheNextSlice() throws {
        let kernel = FakeKernel()
        var loop = try Self.synced(kernel, FakeLink(), minSyncPeriod: .seconds(1))
        let now = F.t0 + .seconds(30)
        let first = try loop.handle([.tick], now: now)
        #expect(first.wakeAt == now)
        #expect(loop.resync?.left.count == 1)

        // Within --min-sync-period of the slice, yet not held back by it: a slice is not a pass for changes. The
        // batch holds the change's pass alone, so its observers (its nftables write, its latency) come next; the
        // slice is asked for at once, as the next batch.
        let later = now + .milliseconds(1)
        let changed = try loop.handle(
            [.event(.change(.upsert(.endpointSlice(try Self.slice(["10.244.0.10", "10.244.0.11", "10.244.0.12"])))))],
            now: later)
        let passes = Self.passes(changed)
        #expect(passes.count == 1, "the change's pass alone")
        #expect(
            passes.first?.sync.plan.operations.contains(.addRealServer(F.rs("10.244.0.12", 8080), to: F.web)) == true)
        #expect(passes.map(\.objectChanges) == [1], "the change is programmed by its own pass")
        #expect(changed.wakeAt == later, "the slice is due: at once")
        #expect(loop.resync?.left.count == 1)
        #expect(Self.reals(kernel, F.web) == ["10.244.0.10", "10.244.0.11", "10.244.0.12"])

        let sliced = try loop.handle([.tick], now: later)
        #expect(Self.passes(sliced).map(\.objectChanges) == [0], "the resync's last slice")
        #expect(sliced.wakeAt == now + .seconds(30), "the resync is over: the next one")
        #expect(loop.resync == nil)
    }

    @Test func aStreamOfChangesDefersTheResyncOneBatchInTwoAtMost() throws {
        let kernel = FakeKernel()
        var loop = try Self.synced(kernel, FakeLink())
        let now = F.t0 + .seconds(30)
        _ = try loop.handle([.tick], now: now)
        #expect(loop.resync?.left.count == 1)
        let change = { (ips: [String]) in [Inbox.Input.event(.change(.upsert(.endpointSlice(try Self.slice(ips)))))] }
        let deferred = try loop.handle(change(["10.244.0.10", "10.244.0.12"]), now: now)
        #expect(Self.passes(deferred).count == 1 && loop.resync?.left.count == 1, "deferred once")
        let next = try loop.handle(change(["10.244.0.10", "10.244.0.13"]), now: now)
        #expect(Self.passes(next).map(\.objectChanges) == [1, 0], "a change's pass, then the slice it may not defer")
        #expect(loop.resync == nil)
        #expect(Self.reals(kernel, F.web).isSuperset(of: ["10.244.0.10", "10.244.0.12", "10.244.0.13"]))
    }

    /// The keys a resync reads: what the kernel held, what the record lists and what the desired state wants, each
    /// once.
    @Test func aResyncReadsWhatTheKernelHeldTheRecordListsAndTheServicesWantEachOnce() throws {
        let (held, listed, wanted) = (F.key(.tcp, "10.96.9.1", 80), F.key(.tcp, "10.96.9.2", 80), F.web)
        let kernel = FakeKernel()
        _ = kernel.apply([.addVirtualServer(F.vs(held)), .addVirtualServer(F.vs(wanted))])
        var reconciler = Reconciler(
            kernel: kernel, link: FakeLink(), record: OwnershipRecord(virtualServers: [held, listed]),
            logger: Logger(label: "test"))
        try reconciler.adopt()
        _ = kernel.apply([.deleteVirtualServer(held)])
        let desired = DesiredState(
            virtualServers: [DesiredVirtualServer(server: F.vs(wanted), realServers: [], role: .clusterIP)])
        let keys = reconciler.resyncKeys(desired)
        #expect(keys.count == 2 && Set(keys) == [held, wanted], "the record forgot what the kernel did not hold")
        let more = F.key(.tcp, "10.96.9.3", 80)
        let grown = DesiredState(
            virtualServers: [wanted, more].map {
                DesiredVirtualServer(server: F.vs($0), realServers: [], role: .clusterIP)
            })
        let again = reconciler.resyncKeys(grown)
        #expect(again.count == 3 && Set(again) == [held, wanted, more])
    }

    @Test func aSliceStopsReadingAtTheFirstChunkWhenWorkWaits() throws {
        let kernel = FakeKernel()
        _ = kernel.apply((1...4).map { .addVirtualServer(F.vs(F.key(.tcp, "10.96.9.9", UInt16($0)))) })
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test"))
        try reconciler.adopt()
        let desired = DesiredState()
        let deadline = ContinuousClock.now + .seconds(60)
        var keys = ArraySlice(reconciler.resyncKeys(desired))
        #expect(keys.count == 4)
        _ = reconciler.resync(&keys, link: false, desired: desired, chunk: 1, until: deadline, stop: { true })
        #expect(keys.count == 3, "one chunk read, then the waiting work goes first")
        var asked = 0
        _ = reconciler.resync(&keys, link: false, desired: desired, chunk: 1, until: deadline) {
            asked += 1
            return asked == 2
        }
        #expect(keys.count == 1, "stopped once work waited, after the chunk read before it")
    }

    /// The first slice plans the addresses that differ between the link and the desired state, both ways, and
    /// writes nothing for the others.
    @Test func theFirstSliceBindsAMissingVIPAndRemovesAStrayOneOnly() throws {
        let kernel = FakeKernel()
        let link = FakeLink()
        var loop = try Self.synced(kernel, link)
        try link.remove(F.ip(F.vip))
        try link.add(F.ip("10.96.5.5"))
        let writes = link.writes
        let outcome = try loop.handle([.tick], now: F.t0 + .seconds(30))
        #expect(link.addressSet == [F.ip(F.vip)])
        #expect(link.writes == writes + 2, "one bind, one removal")
        let pass = Self.passes(outcome).first
        #expect(pass?.full == true)
        #expect(pass?.sync.plan.bind == [F.ip(F.vip)] && pass?.sync.plan.unbind == [F.ip("10.96.5.5")])
    }

    /// A slice stopped for a waiting change plans nothing: the change's pass plans what the slice read with the
    /// change, so the change waits for the chunk being read, not for a pass and observers of the slice's own.
    @Test func aSliceStoppedForAChangeLeavesWhatItReadToTheChangesPass() throws {
        let kernel = FakeKernel()
        var loop = try Self.synced(kernel, FakeLink())
        let now = F.t0 + .seconds(30)
        _ = try loop.handle([.tick], now: now)  // the first slice: the link, and one virtual server
        #expect(loop.resync?.left.count == 1)
        let last = try #require(loop.resync?.left.first)
        // Drift behind the proxy's back on the one the next slice reads; a change arrives while it reads.
        if last == F.dns {
            _ = kernel.apply([.deleteVirtualServer(F.dns)])
        } else {
            _ = kernel.apply([.deleteRealServer(F.rs("10.244.0.10", 8080).endpoint, from: F.web)])
        }
        let appliedBefore = kernel.applied.count
        loop.resyncInterrupt = { true }
        let stopped = try loop.handle([.tick], now: now)
        #expect(Self.passes(stopped).isEmpty, "no pass of the slice's own")
        #expect(kernel.applied.count == appliedBefore, "nothing written: the repair waits for the change's pass")
        #expect(loop.resync == nil && loop.resyncUnplanned == [last])
        let done = stopped.reports.contains { if case .resynced = $0 { true } else { false } }
        #expect(done, "the resync read everything")
        loop.resyncInterrupt = { false }

        let changed = try loop.handle(
            [.event(.change(.upsert(.endpointSlice(try Self.slice(["10.244.0.10", "10.244.0.11", "10.244.0.12"])))))],
            now: now)
        let passes = Self.passes(changed)
        #expect(passes.count == 1, "one pass: the change's, with what the slice read")
        #expect(passes.first?.objectChanges == 1)
        #expect(passes.first?.touched?.contains(last) == true, "the observers see the repaired virtual server")
        #expect(Set(kernel.table.keys) == [F.web, F.dns])
        #expect(Self.reals(kernel, F.web) == ["10.244.0.10", "10.244.0.11", "10.244.0.12"])
        #expect(Self.reals(kernel, F.dns) == ["10.244.0.10", "10.244.0.11", "10.244.0.12"])
        #expect(loop.resyncUnplanned.isEmpty)
    }

    /// Stopped for work that turns out to touch nothing (an endpoint's status of a Service no longer there), the
    /// read virtual servers are planned all the same.
    @Test func whatAStoppedSliceReadIsPlannedEvenWhenTheWaitingWorkTouchesNothing() throws {
        let kernel = FakeKernel()
        var loop = try Self.synced(kernel, FakeLink())
        let now = F.t0 + .seconds(30)
        _ = try loop.handle([.tick], now: now)
        let last = try #require(loop.resync?.left.first)
        _ = kernel.apply([.deleteVirtualServer(last)])
        loop.resyncInterrupt = { true }
        _ = try loop.handle([.tick], now: now)
        #expect(kernel.table[last] == nil && loop.resyncUnplanned == [last])
        loop.resyncInterrupt = { false }
        let next = try loop.handle([.tick], now: now + .milliseconds(1))
        #expect(Self.passes(next).count == 1)
        #expect(kernel.table[last] != nil, "repaired by the next batch's pass")
        #expect(loop.resyncUnplanned.isEmpty)
    }

    @Test func aResyncWithinAShareOfACPUWaitsBetweenSlicesAndStillRepairsEverything() throws {
        let kernel = FakeKernel()
        var loop = try Self.synced(kernel, FakeLink())
        loop.resyncShare = CPUShare(0.01)
        _ = kernel.apply([.deleteVirtualServer(F.dns), .deleteVirtualServer(F.web)])
        let now = F.t0 + .seconds(30)
        let first = try loop.handle([.tick], now: now)
        let next = try #require(first.wakeAt)
        #expect(next > now, "the next slice waits")
        #expect(loop.resync?.nextSlice == next)
        #expect(kernel.table.count == 1, "one slice, one virtual server")
        let reads = kernel.singleReads
        // A tick or a change before then runs no slice.
        #expect(Self.passes(try loop.handle([.tick], now: now + (next - now) / 2)).isEmpty)
        #expect(kernel.singleReads == reads)
        #expect(try loop.handle([.tick], now: now + (next - now) / 2).wakeAt == next)
        // Then the last slice.
        let last = try loop.handle([.tick], now: next)
        #expect(Self.passes(last).count == 1)
        #expect(last.wakeAt == now + .seconds(30) && loop.resync == nil)
        #expect(Set(kernel.table.keys) == [F.web, F.dns])
        let done = last.reports.compactMap { report -> (Int, Duration)? in
            if case .resynced(let count, let wall, _) = report { (count, wall) } else { nil }
        }
        #expect(done.count == 1 && done.first?.0 == 2, "the end of the resync is reported once, with its size")
        #expect((done.first?.1 ?? .zero) >= next - now, "from its first slice to its last")
    }

    @Test func aSliceIsFollowedByAPauseOfItsCostOverTheShare() {
        let now = F.t0
        #expect(
            ReconcileLoop.nextSlice(after: .milliseconds(5), share: CPUShare(0.01), now: now) == now
                + .milliseconds(500))
        #expect(
            ReconcileLoop.nextSlice(after: .milliseconds(5), share: CPUShare(0.5), now: now) == now + .milliseconds(10))
        #expect(
            ReconcileLoop.nextSlice(after: .milliseconds(5), share: .whole, now: now) == nil, "a whole CPU: at once")
        #expect(CPUShare(0.01).half.cycle(after: .milliseconds(5)) == .seconds(1), "two jobs: half each")
        #expect(CPUShare(0).fraction > 0 && CPUShare(7).fraction == 1 && CPUShare(.nan) == .whole)
    }

    @Test func aResyncNeverDeletesAnotherProgramsVirtualServer() throws {
        let foreign = F.state(F.vs(F.key(.tcp, "192.168.1.10", 80)), [F.rs("192.168.1.20", 80)])
        let kernel = FakeKernel([foreign])
        var loop = try Self.synced(kernel, FakeLink())
        let now = F.t0 + .seconds(30)
        _ = try loop.handle([.tick], now: now)
        while loop.resync != nil { _ = try loop.handle([.tick], now: now) }
        #expect(kernel.table[foreign.server.key] == foreign)
        #expect(loop.reconciler.record.foreign.contains(foreign.server.key))
        #expect(!kernel.applied.contains { $0.virtualServerKey == foreign.server.key })
    }

    @Test func aVirtualServerTheProxyOwnsThatNoServiceWantsIsDeletedByTheResync() throws {
        let kernel = FakeKernel()
        var loop = try Self.synced(kernel, FakeLink())
        // A leftover of the proxy's, recorded but no longer wanted and missed by the passes (as after a bug or a
        // record restored from elsewhere): the resync deletes it.
        let leftover = F.key(.tcp, F.vip, 8443)
        _ = kernel.apply([.addVirtualServer(F.vs(leftover))])
        try loop.reconciler.adopt()
        let now = F.t0 + .seconds(30)
        _ = try loop.handle([.tick], now: now)
        while loop.resync != nil { _ = try loop.handle([.tick], now: now) }
        #expect(kernel.table[leftover] == nil)
        #expect(kernel.table.count == 2)
    }

    @Test func theFirstFullSyncDoesNotReadTheTableAgainAfterTheStartsAdoption() throws {
        let kernel = FakeKernel([F.state(F.vs(F.web), [F.rs("10.244.0.10", 8080)])])
        var reconciler = Reconciler(
            kernel: kernel, link: FakeLink(addresses: [F.ip(F.vip)]), logger: Logger(label: "test"))
        try reconciler.adopt()
        var loop = ReconcileLoop(
            reconciler: reconciler, tracker: DesiredStateTracker(configuration: ProxyConfiguration()),
            syncPeriod: .seconds(30))
        loop.adopted = true
        let reads = kernel.fullReads
        let outcome = try loop.handle(
            [
                .event(.change(.upsert(.service(try Objects.web(spec: Self.spec))))),
                .event(.change(.upsert(.endpointSlice(try Self.slice(["10.244.0.10"]))))), .event(.synced),
            ], now: F.t0)
        #expect(outcome.firstSyncDone)
        #expect(kernel.fullReads == reads)
        #expect(Self.reals(kernel, F.web) == ["10.244.0.10"])
    }
}

/// The traffic metrics' reads of the kernel's table keep to their share of one CPU.
@Suite struct TrafficReadPacingTests {
    static func collector(interval: Duration, share: CPUShare) -> ServiceTrafficCollector {
        ServiceTrafficCollector(
            kernel: FakeKernel(), metrics: ServiceTrafficMetrics(), interval: interval, share: share,
            logger: Logger(label: "test"))
    }

    @Test func aPartIsFollowedByAPauseOfItsCostOverTheShare() {
        let collector = Self.collector(interval: .seconds(30), share: CPUShare(0.005))
        #expect(collector.nextPart(began: F.t0, cpu: .milliseconds(10)) == F.t0 + .seconds(2), "10 ms at 0.5%: 2 s")
        let whole = Self.collector(interval: .seconds(30), share: .whole)
        #expect(whole.nextPart(began: F.t0, cpu: .seconds(40)) == F.t0, "no limit: at once")
    }

    /// A round read in parts gives what one dump of the whole table gives, and never reads the table whole.
    @Test func aRoundInPartsRecordsWhatAWholeReadRecords() async throws {
        let kernel = FakeKernel()
        var ports: [VirtualServerKey: ServiceMap.ServicePort] = [:]
        for index in 0..<70 {
            let service = ObjectKey(namespace: "default", name: "svc-\(index / 2)")
            let key = F.key(.tcp, "10.96.0.\(index / 2)", index % 2 == 0 ? 80 : 30000 + UInt16(index))
            _ = kernel.apply([.addVirtualServer(F.vs(key)), .addRealServer(F.rs("10.244.0.\(index)", 8080), to: key)])
            kernel.setConnections(F.rs("10.244.0.\(index)", 8080).endpoint, of: key, active: UInt32(index))
            ports[key] = ServiceMap.ServicePort(service: service, port: "http")
        }
        let (parted, whole) = (ServiceTrafficMetrics(), ServiceTrafficMetrics())
        parted.servicePorts(ports)
        whole.servicePorts(ports)
        let parts = parted.parts(of: 32)
        #expect(parts.map(\.count) == [32, 32, 6], "whole Service ports of two virtual servers each")
        #expect(Set(parts.flatMap { $0 }) == Set(ports.keys))
        let collector = ServiceTrafficCollector(
            kernel: kernel, metrics: parted, interval: .seconds(30), share: .whole, logger: Logger(label: "test"))
        let reads = kernel.fullReads
        #expect(try await collector.round())
        #expect(kernel.fullReads == reads, "no whole-table read")
        whole.record(try kernel.virtualServers())
        #expect(parted.exposition() == whole.exposition())
        #expect(parted.exposition().contains("service=\"svc-34\",port=\"http\"} 137"), "active: 68 + 69")
        // A Service gone from the passes loses its series at the end of the next round.
        ports = ports.filter { $0.value.service.name != "svc-0" }
        parted.servicePorts(ports)
        #expect(try await collector.round())
        #expect(!parted.exposition().contains("svc-0\""))
        #expect(parted.exposition().contains("svc-1\""))
    }
}
