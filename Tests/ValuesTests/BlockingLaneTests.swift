import Foundation
import Testing
@testable import Values

/// `BlockingLane` runs its calls on one thread, one at a time in the order given; a call past its deadline is
/// answered nil while it runs on, and the calls after it wait for it. Every wait here but the 50 ms deadline under
/// test is a safety limit, far above need: a loaded run under ThreadSanitizer left the pool without a thread for the
/// tests' tasks for over 30 s, and with 30 s limits the calls held on purpose ran out before their turn.
@Suite struct BlockingLaneTests {
    final class Unguarded: @unchecked Sendable {
        var order: [Int] = []
        var threads: Set<String> = []
        var running = 0
        var overlapped = false
    }

    @Test func callsRunOneAtATimeOnOneThread() async throws {
        let lane = BlockingLane(name: "lane-test")
        let seen = Unguarded()
        // Given at once from several tasks: they never overlap, whatever order they are queued in.
        let results = await withTaskGroup(of: (Int, Int?).self) { group in
            for index in 0..<20 {
                group.addTask {
                    let result = await lane.run(within: .seconds(600)) { () -> Int in
                        seen.running += 1
                        if seen.running > 1 { seen.overlapped = true }
                        seen.order.append(index)
                        seen.threads.insert(Thread.current.name ?? "")
                        Thread.sleep(forTimeInterval: 0.001)
                        seen.running -= 1
                        return index * index
                    }
                    return (index, result)
                }
            }
            var all: [Int: Int?] = [:]
            for await (index, result) in group { all[index] = result }
            return all
        }
        // Read after every call returned: each call's writes happened before its result was handed back.
        #expect(results.count == 20)
        for (index, result) in results { #expect(result == index * index) }
        #expect(!seen.overlapped)
        #expect(seen.threads == ["lane-test"])
        #expect(Set(seen.order) == Set(0..<20))
    }

    @Test func callsGivenOneAfterAnotherRunInThatOrder() async throws {
        let lane = BlockingLane(name: "lane-order")
        let seen = Unguarded()
        // The first call holds the thread until released; the next ones are queued behind it, in this order: each
        // is made once the one before it is seen waiting.
        let (started, release) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        async let first = lane.run(within: .seconds(600)) { () -> Int in
            started.signal()
            _ = release.wait(timeout: .now() + 600)
            seen.order.append(0)
            return 0
        }
        let running = await DedicatedThread.run(name: "lane-order-wait", within: .seconds(600)) {
            started.wait(timeout: .now() + 600) == .success
        }
        #expect(running == true)
        var later: [Task<Int?, Never>] = []
        for index in 1...5 {
            later.append(
                Task {
                    await lane.run(within: .seconds(600)) {
                        seen.order.append(index)
                        return index
                    }
                })
            let giveUp = ContinuousClock.now + .seconds(600)
            while lane.waitingCalls < index && ContinuousClock.now < giveUp {
                try await Task.sleep(for: .milliseconds(1))
            }
            #expect(lane.waitingCalls == index)
        }
        release.signal()
        #expect(await first == 0)
        for (offset, task) in later.enumerated() { #expect(await task.value == offset + 1) }
        #expect(seen.order == [0, 1, 2, 3, 4, 5])
    }

    @Test func aCallPastItsDeadlineIsAnsweredNilAndTheNextWaitsForIt() async throws {
        let lane = BlockingLane(name: "lane-deadline")
        let release = DispatchSemaphore(value: 0)
        let finished = Unguarded()
        let late = await lane.run(within: .milliseconds(50)) { () -> Int in
            _ = release.wait(timeout: .now() + 600)
            finished.order.append(1)
            return 1
        }
        #expect(late == nil)
        // The late call still holds the thread: a call given now runs once it is released.
        async let next = lane.run(within: .seconds(600)) { () -> [Int] in finished.order + [2] }
        try await Task.sleep(for: .milliseconds(50))
        release.signal()
        #expect(await next == [1, 2])
    }
}
