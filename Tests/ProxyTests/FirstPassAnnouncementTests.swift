import Foundation
import IPVS
import Kube
import Logging
import NFTables
import ServiceLifecycle
import TestSupport
import Testing
import Values

@testable import Proxy

/// The first full pass is announced before it runs, so that the nftables table's whole write (which needs only the
/// desired state) goes beside it rather than after it.
@Suite struct FirstPassAnnouncementTests {
    func loop(announcing: Bool) throws -> ReconcileLoop {
        var reconciler = Reconciler(kernel: FakeKernel(), link: FakeLink(), logger: Logger(label: "test"))
        try reconciler.adopt()
        var loop = ReconcileLoop(
            reconciler: reconciler, tracker: DesiredStateTracker(configuration: ProxyConfiguration()),
            syncPeriod: .seconds(30))
        loop.announcesFirstPass = announcing
        return loop
    }

    var inputs: [Inbox.Input] {
        get throws {
            let spec = "  clusterIP: 10.96.0.10\n  ports:\n  - {name: http, protocol: TCP, port: 80}"
            return [.event(.change(.upsert(.service(try Objects.web(spec: spec))))), .event(.synced)]
        }
    }

    @Test func theLoopAnnouncesItsFirstPassThenRunsItOnTheNextCall() throws {
        var loop = try loop(announcing: true)
        let first = try loop.handle(try inputs, now: F.t0)
        #expect(first.firstPassDue)
        #expect(!first.firstSyncDone)
        let announced = first.reports.compactMap { report -> DesiredState? in
            if case .firstPassDue(let desired) = report { return desired }
            return nil
        }
        #expect(announced.count == 1)
        #expect(announced.first?.virtualServers.count == 1)
        #expect(!first.reports.contains { if case .pass = $0 { true } else { false } })

        let second = try loop.handle([], now: F.t0)
        #expect(!second.firstPassDue)
        #expect(second.firstSyncDone)
        let passes = second.reports.compactMap { report -> PassReport? in
            if case .pass(let pass) = report { return pass }
            return nil
        }
        #expect(passes.count == 1)
        #expect(passes.first?.full == true)
        #expect(passes.first?.sync.plan.operations.count == 1)

        // Only the first pass is announced.
        let slice = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10")])
        let later = try loop.handle([.event(.change(.upsert(.endpointSlice(slice))))], now: F.t0 + .seconds(1))
        #expect(!later.firstPassDue)
        #expect(later.reports.contains { if case .pass = $0 { true } else { false } })
    }

    @Test func aLoopNotAskedRunsItsFirstPassAtOnce() throws {
        var loop = try loop(announcing: false)
        let first = try loop.handle(try inputs, now: F.t0)
        #expect(!first.firstPassDue)
        #expect(first.firstSyncDone)
        #expect(!first.reports.contains { if case .firstPassDue = $0 { true } else { false } })
    }

    static func announced(_ outcome: ReconcileLoop.Outcome) -> [DesiredState] {
        outcome.reports.compactMap { report -> DesiredState? in
            if case .firstPassDue(let desired) = report { return desired }
            return nil
        }
    }

    static func passes(_ outcome: ReconcileLoop.Outcome) -> [PassReport] {
        outcome.reports.compactMap { report -> PassReport? in
            if case .pass(let pass) = report { return pass }
            return nil
        }
    }

    /// The initial state complete while the kernel's table is still read: the pass is announced then, so that the
    /// nftables check runs beside the read, and runs unannounced once the table is in.
    @Test func theFirstPassIsAnnouncedWhileTheTableIsReadAndRunsOnceItIsIn() throws {
        var loop = try loop(announcing: true)
        loop.adopting = true
        let first = try loop.handle(try inputs, now: F.t0)
        #expect(first.firstPassAnnouncedAhead && !first.firstPassDue)
        #expect(Self.announced(first).first?.virtualServers.count == 1)
        #expect(Self.passes(first).isEmpty)
        // The call that follows the announcement, and a tick, while the read goes on: nothing runs.
        for batch in [[], [Inbox.Input.tick]] {
            let idle = try loop.handle(batch, now: F.t0)
            #expect(!idle.firstPassAnnouncedAhead && !idle.firstSyncDone && Self.passes(idle).isEmpty)
            #expect(Self.announced(idle).isEmpty)
        }
        loop.adopting = false
        let pass = try loop.handle([.tick], now: F.t0)
        #expect(!pass.firstPassDue)
        #expect(pass.firstSyncDone)
        #expect(Self.announced(pass).isEmpty)
        #expect(Self.passes(pass).map(\.full) == [true])
    }

    /// A change applied after that announcement: the pass is announced again once the table is in, over the state it
    /// runs (not again while the table is read: at most one check beside the read).
    @Test func anInputAfterTheEarlyAnnouncementAnnouncesThePassAgain() throws {
        var loop = try loop(announcing: true)
        loop.adopting = true
        _ = try loop.handle(try inputs, now: F.t0)
        let slice = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10")])
        let change = try loop.handle([.event(.change(.upsert(.endpointSlice(slice))))], now: F.t0)
        #expect(!change.firstPassAnnouncedAhead && Self.announced(change).isEmpty && Self.passes(change).isEmpty)
        loop.adopting = false
        let again = try loop.handle([.tick], now: F.t0)
        #expect(again.firstPassDue)
        #expect(Self.passes(again).isEmpty)
        #expect(Self.announced(again).first?.virtualServers.values.first?.realServers.count == 1)
        let pass = try loop.handle([], now: F.t0)
        #expect(pass.firstSyncDone)
        #expect(Self.passes(pass).first?.sync.plan.operations.count == 2)
    }

    /// An empty initial state may be one the first sync holds back, which only the table can tell: it is not
    /// announced while the table is read.
    @Test func anEmptyInitialStateIsNotAnnouncedWhileTheTableIsRead() throws {
        var loop = try loop(announcing: true)
        loop.adopting = true
        let first = try loop.handle([.event(.synced)], now: F.t0)
        #expect(!first.firstPassAnnouncedAhead)
        #expect(Self.announced(first).isEmpty)
        loop.adopting = false
        #expect(try loop.handle([.tick], now: F.t0).firstPassDue)
    }

    /// A kernel whose batch waits for the table's fill to have started, and an `nft` whose fill waits for the
    /// kernel's batch: one after the other, each would wait in vain.
    final class Meeting: Sendable {
        let fillStarted = DispatchSemaphore(value: 0)
        let applyStarted = Locked(false)
        let overlaps = Locked<[String]>([])

        /// The kernel's first batch (the first pass's) waits for the fill to have started.
        func kernelBatch(_ operations: [IPVSOperation]) {
            let first =
                !operations.isEmpty
                && applyStarted.withLock { started in
                    defer { started = true }
                    return !started
                }
            if first, fillStarted.wait(timeout: .starvedPoolDeadline) == .success {
                overlaps.withLock { $0.append("kernel") }
            }
        }
    }

    final class GatedNFTables: NFTablesRunner {
        let nft = FakeNFTables()
        let meeting: Meeting
        init(meeting: Meeting) { self.meeting = meeting }
        func run(_ script: String) async throws(NFTablesError) {
            if script.contains("elements") {
                meeting.fillStarted.signal()
                let clock = ContinuousClock()
                let deadline = clock.now + starvedPoolLimit
                while !meeting.applyStarted.withLock({ $0 }), clock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(1))
                }
                if meeting.applyStarted.withLock({ $0 }) { meeting.overlaps.withLock { $0.append("nftables") } }
            }
            try await nft.run(script)
        }
        func mark(ofTable name: String) async throws(NFTablesError) -> String? { try await nft.mark(ofTable: name) }
    }

    @Test func theTablesWholeWriteRunsBesideTheFirstPassAndOnlyOnce() async throws {
        let (stream, source) = AsyncStream.makeStream(of: SourceEvent.self)
        let spec = "  clusterIP: 10.96.0.10\n  ports:\n  - {name: http, protocol: TCP, port: 80}"
        source.yield(.change(.upsert(.service(try Objects.web(spec: spec)))))
        source.yield(.synced)
        let meeting = Meeting()
        let kernel = FakeKernel()
        let nft = GatedNFTables(meeting: meeting)
        let service = ProxyService(
            events: stream,
            reconciler: Reconciler(
                kernel: HookedKernel(kernel) { meeting.kernelBatch($0) }, link: FakeLink(),
                logger: Logger(label: "test")),
            configuration: ProxyConfiguration(),
            masquerade: MasqueradeSync(configuration: MasqueradeConfiguration(), nft: nft),
            logger: Logger(label: "test"))
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await waitFor { meeting.overlaps.withLock { $0.count } == 2 && kernel.table.count == 1 }
            // A later change is written as a delta, not as the whole table again.
            let slice = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10")])
            source.yield(.change(.upsert(.endpointSlice(slice))))
            await waitFor { nft.nft.scripts.count >= 3 }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(Set(meeting.overlaps.withLock { $0 }) == ["kernel", "nftables"])
        let scripts = nft.nft.scripts
        #expect(scripts.count == 3, "\(scripts)")
        #expect(scripts.filter { $0.contains("delete table") }.count == 2, "the empty table, then its fill: \(scripts)")
        #expect(scripts.last?.hasPrefix("add element") == true, "\(scripts)")
    }
}
