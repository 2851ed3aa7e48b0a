import Foundation
import Testing
import Values

/// `DedicatedThread.alongside` runs its two bodies at the same time and hands the thread's result (and what it
/// wrote) back to the caller; in the ThreadSanitizer pass a missing happens-before edge is reported as a race.
@Suite struct DedicatedThreadTests {
    final class Unguarded: @unchecked Sendable { var values: [Int] = [] }

    @Test func bothBodiesRunAtOnceAndTheThreadsResultComesBack() async throws {
        // The caller blocks, so it is a thread of its own, not one of the cooperative pool's.
        let outcome = await DedicatedThread.run(name: "alongside-caller", within: .seconds(120)) {
            let sideStarted = DispatchSemaphore(value: 0)
            let mainStarted = DispatchSemaphore(value: 0)
            let written = Unguarded()
            let (side, main) = DedicatedThread.alongside(
                name: "alongside-test",
                {
                    sideStarted.signal()
                    // Waits for the caller's body: run one after the other, this would time out.
                    let overlapped = mainStarted.wait(timeout: .now() + 30) == .success
                    written.values.append(contentsOf: [1, 2, 3])
                    return overlapped
                },
                {
                    mainStarted.signal()
                    return sideStarted.wait(timeout: .now() + 30) == .success
                })
            // Written on the other thread, read here after the join.
            return (side, main, written.values)
        }
        let (side, main, written) = try #require(outcome)
        #expect(side)
        #expect(main)
        #expect(written == [1, 2, 3])
    }
}
