import Foundation
import IPVS
import Kube
import Logging
import NFTables
import TestSupport
import Testing
import Values

@testable import Proxy

/// Adoption reads the kernel's table on a thread of its own (``ReconcileRoom/adopt(within:)``) while the room takes
/// the source's batches: their objects are translated during the read, and nothing is programmed before it ends.
@Suite struct AdoptionOverlapTests {
    /// A kernel whose whole-table read waits until the test opens it, or fails with `failure`.
    final class HeldKernel: IPVSKernel, @unchecked Sendable {
        let inner: FakeKernel
        let failure: IPVSError?
        private let condition = NSCondition()
        /// Guarded by `condition`.
        private var open = false
        private var waiting = false

        init(_ inner: FakeKernel, failure: IPVSError? = nil) {
            self.inner = inner
            self.failure = failure
        }

        /// A read is waiting at the gate.
        var reading: Bool { condition.withLock { waiting } }

        /// Lets the read (and every later one) through.
        func release() {
            condition.withLock {
                open = true
                condition.broadcast()
            }
        }

        func virtualServers() throws -> [VirtualServerState] {
            condition.withLock {
                waiting = true
                while !open { condition.wait() }
            }
            if let failure { throw failure }
            return try inner.virtualServers()
        }

        func version() throws -> IPVSVersion { try inner.version() }
        func virtualServer(_ key: VirtualServerKey) throws -> VirtualServerState? { try inner.virtualServer(key) }
        func apply(_ operations: [IPVSOperation]) -> [Result<Void, IPVSError>] { inner.apply(operations) }
        func flush() throws { try inner.flush() }
        func timeouts() throws -> IPVSTimeouts { try inner.timeouts() }
        func setTimeouts(_ timeouts: IPVSTimeouts) throws { try inner.setTimeouts(timeouts) }
    }

    static func loop(_ kernel: HeldKernel) -> ReconcileLoop {
        ReconcileLoop(
            reconciler: Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test")),
            tracker: DesiredStateTracker(configuration: ProxyConfiguration()), syncPeriod: .seconds(30))
    }

    static func passes(_ outcome: ReconcileLoop.Outcome) -> Int {
        outcome.reports.count { if case .pass = $0 { true } else if case .passAhead = $0 { true } else { false } }
    }

    @Test func objectsAreTranslatedWhileTheTableIsReadAndProgrammedOnlyOnceItIsIn() async throws {
        let kernel = HeldKernel(FakeKernel())
        var loop = Self.loop(kernel)
        loop.programsAhead = true
        let inputs: [Inbox.Input] = [
            .event(.change(.upsert(.service(try Objects.web(spec: ResyncSliceTests.spec))))),
            .event(.change(.upsert(.endpointSlice(try ResyncSliceTests.slice(["10.244.0.10", "10.244.0.11"]))))),
            .event(.synced),
        ]
        try await ReconcileRoom.withRoom(loop) { room in
            async let adopted = room.adopt()
            await waitFor(limit: starvedPoolLimit) { kernel.reading }
            #expect(kernel.reading, "adoption is held in its read")
            let during = try await room.handle(inputs, now: .now, seen: [])
            #expect(await room.loop.adopting)
            #expect(await room.loop.tracker.desired.virtualServers.keys.sorted() == [F.web, F.dns].sorted())
            #expect(!during.firstSyncDone)
            #expect(Self.passes(during) == 0, "no pass, ahead or full, before the table is in")
            #expect(kernel.inner.applied.isEmpty)

            kernel.release()
            let found = try await adopted
            #expect(found.virtualServers == 0 && found.programsAhead)
            #expect(await !room.loop.adopting)
            let after = try await room.handle([.tick], now: .now, seen: [])
            #expect(after.firstSyncDone, "the tick after adoption runs the first full pass the batch had made due")
            #expect(ResyncSliceTests.reals(kernel.inner, F.web) == ["10.244.0.10", "10.244.0.11"])
        }
    }

    @Test func aFailedReadStopsTheLoopAtItsNextBatch() async throws {
        let failure = IPVSError(.transport, "recvmmsg failed")
        let kernel = HeldKernel(FakeKernel(), failure: failure)
        kernel.release()
        try await ReconcileRoom.withRoom(Self.loop(kernel)) { room in
            let error = await #expect(throws: CodedError<ReconcileLoop.ErrorCode>.self) { try await room.adopt() }
            #expect(error?.code == .adoptionFailed)
            #expect("\(error.map { "\($0)" } ?? "")".contains("recvmmsg failed"), "the cause is named")
            let next = await #expect(throws: CodedError<ReconcileLoop.ErrorCode>.self) {
                try await room.handle([.event(.synced)], now: .now, seen: [])
            }
            #expect(next?.code == .adoptionFailed)
            #expect(kernel.inner.applied.isEmpty)
        }
    }

    @Test func aReadPastItsDeadlineFailsAdoptionAndWritesNothing() async throws {
        let kernel = HeldKernel(FakeKernel())
        try await ReconcileRoom.withRoom(Self.loop(kernel)) { room in
            let error = await #expect(throws: CodedError<ReconcileLoop.ErrorCode>.self) {
                try await room.adopt(within: .milliseconds(50))
            }
            #expect(error?.code == .adoptionFailed)
            #expect(error.map { "\($0)" }?.contains("not read within") == true, "the deadline is named")
            await waitFor(limit: starvedPoolLimit) { kernel.reading }
            #expect(kernel.reading, "the read is held: the deadline, not the read, ended adoption")
            let next = await #expect(throws: CodedError<ReconcileLoop.ErrorCode>.self) {
                try await room.handle([.event(.synced)], now: .now, seen: [])
            }
            #expect(next?.code == .adoptionFailed)
            kernel.release()
            #expect(kernel.inner.applied.isEmpty)
        }
    }

    @Test func theServiceStopsWithTheAdoptionFailureWhileTheSourceStaysOpen() async throws {
        let failure = IPVSError(.transport, "recvmmsg failed")
        let kernel = HeldKernel(FakeKernel(), failure: failure)
        kernel.release()
        let (events, continuation) = AsyncStream.makeStream(of: SourceEvent.self)
        continuation.yield(.synced)
        let proxy = ProxyService(
            events: events,
            reconciler: Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test")),
            configuration: ProxyConfiguration(), logger: Logger(label: "test"))
        let error = await #expect(throws: CodedError<ReconcileLoop.ErrorCode>.self) { try await proxy.run() }
        #expect(error?.code == .adoptionFailed)
        continuation.finish()
    }

    /// The initial state complete while the table is still read: the nftables table's whole write (which needs only
    /// the desired state) runs then, beside the read, and the first pass, once the table is in, does not repeat it.
    @Test func theNFTablesTableIsWrittenWhileTheKernelsTableIsRead() async throws {
        let kernel = HeldKernel(FakeKernel())
        let nft = FakeNFTables()
        let (events, source) = AsyncStream.makeStream(of: SourceEvent.self)
        source.yield(.change(.upsert(.service(try Objects.web(spec: ResyncSliceTests.spec)))))
        source.yield(.synced)
        var options = ProxyService.Options()
        options.once = true
        let proxy = ProxyService(
            events: events,
            reconciler: Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test")),
            configuration: ProxyConfiguration(), options: options,
            masquerade: MasqueradeSync(configuration: MasqueradeConfiguration(), nft: nft),
            logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await proxy.run() }
            await waitFor(limit: starvedPoolLimit) { nft.scripts.count >= 2 }
            #expect(kernel.reading, "the kernel's read is still held")
            #expect(nft.scripts.count == 2, "created empty, then written whole: \(nft.scripts)")
            #expect(nft.scripts.last?.contains("10.96.0.10 . tcp . 80") == true)
            #expect(kernel.inner.applied.isEmpty, "nothing programmed before the table is in")
            kernel.release()
            try await tasks.waitForAll()
        }
        #expect(nft.scripts.count == 2, "the first pass does not write the table again: \(nft.scripts)")
        #expect(kernel.inner.table[F.web] != nil, "the first pass programmed the Service")
        source.finish()
    }
}
