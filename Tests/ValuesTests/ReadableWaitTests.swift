import Foundation
import Testing
import Values

/// The wait for a readable descriptor, on a pipe: it ends for data, for its deadline once passed, and for its task's
/// cancellation, and a cancelled waiter waits again as before.
@Suite struct ReadableWaitTests {
    /// A pipe whose ends are closed at the end of the test.
    final class Pipe {
        let reader: Int32
        let writer: Int32

        init() throws {
            var ends: [Int32] = [-1, -1]
            try #require(pipe(&ends) == 0)
            (reader, writer) = (ends[0], ends[1])
        }

        deinit {
            close(reader)
            close(writer)
        }

        func send() {
            var byte: UInt8 = 7
            _ = write(writer, &byte, 1)
        }

        func take() {
            var byte: UInt8 = 0
            _ = read(reader, &byte, 1)
        }
    }

    @Test func aDeadlineEndsTheWaitOnlyOnceItHasPassed() async throws {
        let pipe = try Pipe()
        let wait = try ReadableWait(descriptor: pipe.reader)
        let deadline = ContinuousClock.now + .milliseconds(50)
        #expect(try await wait.wait(until: deadline) == .deadline)
        #expect(ContinuousClock.now >= deadline)
        #expect(try await wait.wait(until: .now - .seconds(1)) == .deadline, "a deadline already past")
    }

    @Test func dataEndsTheWaitWhetherItCameBeforeOrDuring() async throws {
        let pipe = try Pipe()
        let wait = try ReadableWait(descriptor: pipe.reader)
        pipe.send()
        #expect(try await wait.wait(until: .now + .seconds(60)) == .readable, "queued before")
        pipe.take()
        let waiting = Task { try await wait.wait(until: nil) }
        try await Task.sleep(for: .milliseconds(20))
        pipe.send()
        #expect(try await waiting.value == .readable, "written while waiting, with no deadline")
    }

    @Test func cancellationEndsTheWaitAndTheWaiterWaitsAgainAfter() async throws {
        let pipe = try Pipe()
        let wait = try ReadableWait(descriptor: pipe.reader)
        let waiting = Task { try await wait.wait(until: nil) }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        let early = Task { try await wait.wait(until: nil) }
        early.cancel()
        await #expect(throws: CancellationError.self, "cancelled before it began") { try await early.value }
        // The cancellations' wake-ups are used up: the next wait is not woken by them.
        #expect(try await wait.wait(until: .now + .milliseconds(30)) == .deadline)
        pipe.send()
        #expect(try await wait.wait(until: .now + .seconds(60)) == .readable)
    }
}
