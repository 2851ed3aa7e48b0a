import Foundation
import Testing
import Values

/// `Locked` serialises its critical sections, and (in the ThreadSanitizer pass of `scripts/test`, built with -DTSAN)
/// tells the sanitizer so: without the annotations this test is reported as a race there, and the pass fails.
@Suite struct LockedTests {
    final class Unguarded: @unchecked Sendable { var values: [Int] = [] }

    @Test func threadsAppendingUnderTheLockLoseNothing() async {
        let guarded = Locked<[Int]>([])
        let beside = Unguarded()
        let marker = Locked(())
        let threads = 4
        let each = 5_000
        let done = DispatchGroup()
        for thread in 0..<threads {
            done.enter()
            Thread {
                for index in 0..<each {
                    guarded.withLock { $0.append(thread * each + index) }
                    // Memory outside the lock's value, ordered only by holding the lock.
                    marker.withLock { _ in beside.values.append(index) }
                }
                done.leave()
            }.start()
        }
        // Awaited, not waited for: under the sanitizer this takes seconds, and a blocked thread of the cooperative pool
        // (two on a 2-core machine) would hold back every other test's tasks that long.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            done.notify(queue: .global()) { continuation.resume() }
        }
        #expect(guarded.withLock { $0.count } == threads * each)
        #expect(Set(guarded.withLock { $0 }).count == threads * each)
        #expect(marker.withLock { _ in beside.values.count } == threads * each)
    }

    @Test func errorsAndResultsPassThrough() {
        struct Refused: Error {}
        let locked = Locked(1)
        #expect(throws: Refused.self) { try locked.withLock { (_: inout Int) throws(Refused) in throw Refused() } }
        #expect(
            locked.withLock { value -> String in
                value += 1
                return "\(value)"
            } == "2")
    }
}
