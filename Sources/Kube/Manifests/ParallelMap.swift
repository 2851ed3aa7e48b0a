import Dispatch
import Foundation
import Synchronization

/// Maps an array on all cores (one worker per active processor, each taking the next unclaimed element),
/// keeping the order. Synchronous: the caller's thread waits, so it is called only off Swift's cooperative pool
/// (``ManifestsDirectorySource`` runs its scans on NIO's thread pool). Used to parse many manifest files at once.
enum ParallelMap {
    static func map<Element: Sendable, Result: Sendable>(
        _ elements: [Element], _ transform: @Sendable (Element) -> Result
    ) -> [Result] {
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, elements.count)
        guard workers > 1 else { return elements.map(transform) }
        let next = Atomic<Int>(0)
        let results = Mutex<[Result?]>(Array(repeating: nil, count: elements.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var done: [(Int, Result)] = []
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < elements.count else { break }
                done.append((index, transform(elements[index])))
                if done.count == 64 {
                    results.withLock { for (index, value) in done { $0[index] = value } }
                    done.removeAll(keepingCapacity: true)
                }
            }
            results.withLock { for (index, value) in done { $0[index] = value } }
        }
        return results.withLock { $0.compactMap { $0 } }
    }
}
