import NIOPosix
import Testing

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

    @Test func aStoppedPoolThrows() async throws {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        try await pool.shutdownGracefully()
        await #expect(throws: (any Error).self) { try await ParallelMap.map([1, 2, 3], on: pool) { $0 } }
    }
}
