#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
import Foundation

/// Waits for a file descriptor to become readable, with no polling and without holding a thread of Swift's
/// cooperative pool: each wait blocks in `poll(2)` on a thread of its own, beside a pipe that the task's
/// cancellation writes to. It is for the descriptors that only say "something happened" (an inotify queue, an
/// rtnetlink multicast group): an idle watcher then wakes for its events and its deadline, not on a timer.
///
/// The descriptor stays its owner's: it must stay open while a wait is under way. One wait at a time.
public final class ReadableWait: Sendable {
    /// What a wait ended with.
    public enum Outcome: Sendable, Equatable {
        /// The descriptor has something to read (or an error or hang-up to report: a read tells which).
        case readable
        /// The deadline came first.
        case deadline
    }

    /// The descriptor waited on.
    public let descriptor: Int32
    /// The pipe cancellation writes to: its read end, polled beside the descriptor, and its write end.
    private let wake: Int32
    private let wakeWriter: Int32

    /// A waiter for `descriptor`. Throws when no pipe can be made (out of descriptors).
    public init(descriptor: Int32) throws(OSError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw OSError.errno(errno, call: "pipe") }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        self.descriptor = descriptor
        (wake, wakeWriter) = (ends[0], ends[1])
    }

    deinit {
        close(wake)
        close(wakeWriter)
    }

    /// Waits until the descriptor is readable or `deadline` (nil: none) has passed. Throws `CancellationError` when
    /// the calling task is cancelled, before or during the wait (the waiting thread then returns at once), and an
    /// `OSError` when `poll(2)` fails.
    public func wait(until deadline: ContinuousClock.Instant?) async throws -> Outcome {
        while true {
            try Task.checkCancellation()
            let result = await once(until: deadline)
            switch result {
            case Self.readable: return .readable
            case Self.deadlinePassed: return .deadline
            // The pipe was written: by this task's cancellation (checked at the top), or by a cancellation that came
            // after an earlier wait had already ended; then it is emptied and the wait goes on.
            case Self.woken: continue
            default: throw OSError.errno(-result, call: "poll")
            }
        }
    }

    /// What ``block(_:_:_:)`` returns (or a negative errno). Plain codes: Swift 6.3.1 crashes splitting
    /// ``wait(until:)`` under the address sanitizer when it gets a `Result` of an optional here.
    private static let (readable, deadlinePassed, woken): (Int32, Int32, Int32) = (0, 1, 2)

    /// One wait on a thread of its own, ended early by the task's cancellation.
    private func once(until deadline: ContinuousClock.Instant?) async -> Int32 {
        let (descriptor, wake, writer) = (self.descriptor, self.wake, self.wakeWriter)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
                Self.spawn { continuation.resume(returning: Self.block(descriptor, wake, deadline)) }
            }
        } onCancel: {
            var one: UInt8 = 1
            _ = write(writer, &one, 1)  // a full pipe already wakes the wait
        }
    }

    /// Runs `body` on a new thread, with the default stack: a stack costs only the pages it touches, and a small
    /// one saved address space at the price of room the sanitizers need (a ThreadSanitizer report alone takes tens
    /// of kilobytes, and a frame that jumps the guard page lands in the next thread's stack and its TLS).
    private static func spawn(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = "readable-wait"
        thread.start()
    }

    /// Blocks until `descriptor` is readable (``readable``), `deadline` passes (``deadlinePassed``) or `wake` is
    /// written (``woken``, and the pipe is emptied); a negative errno when `poll(2)` fails.
    private static func block(_ descriptor: Int32, _ wake: Int32, _ deadline: ContinuousClock.Instant?) -> Int32 {
        var fds = [
            pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let left = deadline - .now
                guard left > .zero else { return deadlinePassed }
                // Rounded up, so that the deadline has passed when poll returns on it.
                let milliseconds = (left + .nanoseconds(999_999)) / .milliseconds(1)
                timeout = Int32(clamping: Int(milliseconds))
            }
            let count = poll(&fds, 2, timeout)
            if count < 0 {
                if errno == EINTR { continue }
                return -errno
            }
            if fds[1].revents != 0 {
                var bytes = [UInt8](repeating: 0, count: 64)
                while read(wake, &bytes, bytes.count) > 0 {}
                return woken
            }
            if fds[0].revents != 0 { return readable }
            // A timeout: loop, to return only once the deadline has passed on the continuous clock.
        }
    }
}
