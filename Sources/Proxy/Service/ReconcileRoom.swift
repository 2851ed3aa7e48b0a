import IPVS
import NIOCore
import Values
import NIOPosix

/// The reconcile loop on a thread of its own. A pass talks to the kernel with blocking netlink calls; they must
/// not hold one of the few threads of Swift's cooperative pool, so the loop's state lives in this actor, whose
/// executor is the one event loop of a private one-thread group. Observers run outside it, on the caller's task.
actor ReconcileRoom {
    private(set) var loop: ReconcileLoop
    private let thread: any EventLoop

    nonisolated var unownedExecutor: UnownedSerialExecutor { thread.executor.asUnownedSerialExecutor() }

    /// A room for `loop`, run on `thread` (which nothing else may block or be blocked by).
    init(_ loop: ReconcileLoop, thread: any EventLoop) {
        self.loop = loop
        self.thread = thread
    }

    /// Reads the kernel's table (adoption: nothing is flushed); returns what was found: every virtual server, those
    /// of another program, the link's addresses, whether an ownership record was read at start, and whether the
    /// loop programs ahead of its first full pass (the kernel holds nothing of the proxy's).
    ///
    /// The read (seconds at 10,000 Services) runs on a thread of its own, and the room takes batches meanwhile:
    /// their objects are translated while the kernel is read, and no pass runs until the table is in
    /// (``ReconcileLoop/adopting``). A read that fails or outlasts `deadline` fails adoption, and the loop's next
    /// batch with it (``ReconcileLoop/adoptionFailure``).
    func adopt(within deadline: Duration = .seconds(600)) async throws -> (
        virtualServers: Int, foreign: Int, linkAddresses: Int, hadRecord: Bool, programsAhead: Bool
    ) {
        loop.adopting = true
        defer { loop.adopting = false }
        let reconciler = loop.reconciler
        let read = await DedicatedThread.run(name: "ipvs-adopt", within: deadline) {
            Result { try reconciler.readTable(creatingLink: true) }
        }
        guard case .success(let table)? = read else {
            let failure: CodedError<ReconcileLoop.ErrorCode> =
                if case .failure(let error)? = read {
                    CodedError(
                        .adoptionFailed, "could not read the kernel's IPVS table and the VIP link's addresses",
                        cause: error)
                } else {
                    // The read runs on, its result dropped.
                    CodedError(
                        .adoptionFailed,
                        "the kernel's IPVS table and the VIP link's addresses were not read within \(deadline)")
                }
            loop.adoptionFailure = failure
            throw failure
        }
        loop.reconciler.adopt(table)
        loop.adopted = true
        loop.programsAhead = loop.programsAhead && ReconcileLoop.mayProgramAhead(loop.reconciler)
        let adopted = loop.reconciler
        return (
            adopted.actual.virtualServers.count, adopted.record.foreign.count,
            adopted.actual.linkAddresses.count, adopted.hadRecord, loop.programsAhead
        )
    }

    /// Handles a batch (`ReconcileLoop.handle`).
    func handle(
        _ inputs: [Inbox.Input], now: ContinuousClock.Instant, seen: [ContinuousClock.Instant]
    ) throws(CodedError<ReconcileLoop.ErrorCode>) -> ReconcileLoop.Outcome {
        try loop.handle(inputs, now: now, seen: seen)
    }

    /// Hands the allocator's free pages back to the kernel with `release` (``MallocHeap/releaseFreed()``), on the
    /// room's thread, as ``FreedMemoryRelease`` schedules it; returns how long that took. With `fixingThresholds`
    /// (the first release, after the first sync and its observers: the initial state was decoded, planned and
    /// written in a burst that is garbage now, the whole nftables table included), then fixes the allocator's
    /// thresholds at 128 KiB, so that the large blocks of later work (a resync's slice, a traffic round, a Service's
    /// copy-on-write) are unmapped when freed rather than carved from the heap and left resident: at 10,000 Services
    /// from an API server, 90.5 MiB after the first sync and 105.9 after 1,000 changes, against 102.1 and 120.4 (lab,
    /// docs/performance.md). Not from the start, which saves more but made the cold sync 10% slower (P1 at or over
    /// its 0.5x bound); an operator can choose that in the environment
    /// (`GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072`).
    func releaseFreedMemory(with release: @Sendable () -> Void, fixingThresholds: Bool) -> Duration {
        let took = ContinuousClock().measure { release() }
        if fixingThresholds { MallocHeap.fixThresholds(at: 128 << 10) }
        return took
    }

    /// Runs `body` with a room on a fresh thread, and stops the thread afterwards.
    static func withRoom<T: Sendable>(
        _ loop: sending ReconcileLoop, _ body: (ReconcileRoom) async throws -> T
    ) async throws -> T {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let room = ReconcileRoom(loop, thread: group.next())
        do {
            let result = try await body(room)
            try await group.shutdownGracefully()
            return result
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }
}
