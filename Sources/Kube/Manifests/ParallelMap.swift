import NIOPosix

/// Maps an array on the threads of a `NIOThreadPool`, keeping the order: the elements are cut into a few
/// contiguous chunks per pool thread (more chunks than threads, so that a slow chunk does not leave a thread
/// idle), each chunk is one job on the pool, and the caller's task only waits for them. Nothing blocks a thread of
/// Swift's cooperative pool, and no pool thread waits for another. Used to parse many manifest files at once.
enum ParallelMap {
    /// Chunks per pool thread. The thread that finishes first waits for the other's last chunk, so a chunk is kept
    /// small: with 4 a thread, 10,000 manifest files left one of the lab's two emulated CPUs idle for up to a second
    /// at the end of a scan (perf, 2026-12-05); a job costs microseconds.
    static let chunksPerThread = 32

    /// `elements.map(transform)`, computed on `threadPool`. Throws when the pool is not running.
    static func map<Element: Sendable, Result: Sendable>(
        _ elements: [Element], on threadPool: NIOThreadPool,
        _ transform: @escaping @Sendable (Element) -> Result
    ) async throws -> [Result] {
        var results: [Result] = []
        results.reserveCapacity(elements.count)
        try await forEachRun(elements, on: threadPool, transform) { _, run in results += run }
        return results
    }

    /// `transform` of every element, computed on `threadPool`, handed to `consume` in order as soon as it and
    /// everything before it is done: `consume` gets runs of consecutive elements (their range in `elements`, and
    /// their results), first to last, on the caller's task while the pool goes on with the rest. Throws when the pool
    /// is not running, or what `consume` throws (the rest is then left unconsumed).
    static func forEachRun<Element: Sendable, Result: Sendable>(
        _ elements: [Element], on threadPool: NIOThreadPool,
        _ transform: @escaping @Sendable (Element) -> Result,
        consume: (Range<Int>, [Result]) throws -> Void
    ) async throws {
        let chunkCount = min(elements.count, max(1, threadPool.numberOfThreads) * chunksPerThread)
        guard chunkCount > 1 else {
            let results = try await threadPool.runIfActive { elements.map(transform) }
            if !results.isEmpty { try consume(0..<elements.count, results) }
            return
        }
        let bounds = (0...chunkCount).map { elements.count * $0 / chunkCount }
        try await withThrowingTaskGroup(of: (Int, [Result]).self) { group in
            for chunk in 0..<chunkCount {
                let slice = elements[bounds[chunk]..<bounds[chunk + 1]]
                group.addTask { (chunk, try await threadPool.runIfActive { slice.map(transform) }) }
            }
            // Chunks done out of order wait here for the ones before them.
            var done: [Int: [Result]] = [:]
            var next = 0
            for try await (chunk, results) in group {
                done[chunk] = results
                var run: [Result] = []
                let first = next
                while let results = done.removeValue(forKey: next) {
                    run += results
                    next += 1
                }
                if next > first { try consume(bounds[first]..<bounds[next], run) }
            }
        }
    }
}
