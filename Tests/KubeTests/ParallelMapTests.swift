import Dispatch
import NIOPosix
import TestSupport
import Testing
import Values

@testable import Kube

/// The parse of many manifest files spread over a thread pool: the order is kept whatever the count of chunks.
@Suite struct ParallelMapTests {
    @Test(arguments: [0, 1, 2, 7, 8, 9, 1000])
    func mapKeepsTheOrder(count: Int) async throws {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        let elements = Array(0..<count)
        let mapped = try await ParallelMap.map(elements, on: pool) { $0 * 3 }
        try await pool.shutdownGracefully()
        #expect(mapped == elements.map { $0 * 3 })
    }

    /// The runs handed on while the pool reads on: consecutive, first to last, covering every element once, each
    /// with its own elements' results. (How many runs depends on the order the chunks finish in.)
    @Test(arguments: [0, 1, 2, 7, 64, 65, 1000])
    func runsComeInOrderAndCoverEverything(count: Int) async throws {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        let elements = Array(0..<count)
        var runs: [Range<Int>] = []
        var results: [Int] = []
        try await ParallelMap.forEachRun(elements, on: pool, { $0 * 3 }) { range, run in
            #expect(run == elements[range].map { $0 * 3 })
            runs.append(range)
            results += run
        }
        try await pool.shutdownGracefully()
        #expect(results == elements.map { $0 * 3 })
        #expect(runs.allSatisfy { !$0.isEmpty })
        #expect(zip(runs, runs.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(runs.first?.lowerBound == (count == 0 ? nil : 0))
        #expect(runs.last?.upperBound == (count == 0 ? nil : count))
    }

    /// A run is handed on while later elements are still being computed: the last element's transform waits (10 s
    /// at most) for the first run to be consumed, which only a streaming map lets happen.
    @Test func theFirstRunComesBeforeTheLastElementIsDone() async throws {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        let consumedFirst = DispatchSemaphore(value: 0)
        let elements = Array(0..<1000)
        let waited = Locked<Bool?>(nil)
        var runs = 0
        try await ParallelMap.forEachRun(
            elements, on: pool,
            { element in
                if element == 999 {
                    let signalled = consumedFirst.wait(timeout: .starvedPoolDeadline) == .success
                    waited.withLock { $0 = signalled }
                }
                return element
            }
        ) { _, _ in
            runs += 1
            if runs == 1 { consumedFirst.signal() }
        }
        try await pool.shutdownGracefully()
        #expect(waited.withLock { $0 } == true)
        #expect(runs > 1)
    }

    /// What the consumer throws ends the mapping, and is what the caller gets.
    @Test func aThrowingConsumerStops() async throws {
        struct Stop: Error {}
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        var consumed = 0
        await #expect(throws: Stop.self) {
            try await ParallelMap.forEachRun(Array(0..<1000), on: pool, { $0 }) { _, run in
                consumed += run.count
                throw Stop()
            }
        }
        try await pool.shutdownGracefully()
        #expect(consumed > 0)
    }

    @Test func aStoppedPoolThrows() async throws {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        try await pool.shutdownGracefully()
        await #expect(throws: (any Error).self) { try await ParallelMap.map([1, 2, 3], on: pool) { $0 } }
    }
}
