import Foundation

/// One long-lived thread for a component's blocking calls, run one at a time in the order they were given, each
/// awaited with a deadline: for calls made at every change (a netlink exchange per pass), where starting a thread
/// per call (``DedicatedThread``) would cost a thread's creation and exit each time. The calls of one lane never
/// overlap, so they may share a socket without a lock of their own.
///
/// The thread ends once the lane is released and the calls given before have run.
public final class BlockingLane: Sendable {
    private let queue: Queue

    /// A lane whose thread is named `name` (for profiles); the thread starts here.
    public init(name: String) {
        let queue = Queue()
        self.queue = queue
        let thread = Thread {
            // Named from inside: a name set before start does not reach the thread on Linux.
            Thread.current.name = name
            while let job = queue.next() { job() }
        }
        thread.start()
    }

    deinit { queue.close() }

    /// `body`'s result, computed on the lane's thread after the calls given before it; nil when `deadline` passes
    /// first (the call then runs on, its result dropped, and the calls after it wait for it) or when the lane was
    /// closed.
    public func run<T: Sendable>(within deadline: Duration, _ body: @escaping @Sendable () -> T) async -> T? {
        let waiting = Waiting<T>()
        return await withCheckedContinuation { continuation in
            waiting.slot.withLock { $0 = continuation }
            let timer = Task {
                guard (try? await Task.sleep(for: deadline)) != nil else { return }
                waiting.slot.withLock { $0.take() }?.resume(returning: nil)
            }
            let queued = queue.add {
                let result = body()
                timer.cancel()
                waiting.slot.withLock { $0.take() }?.resume(returning: result)
            }
            if !queued {
                timer.cancel()
                waiting.slot.withLock { $0.take() }?.resume(returning: nil)
            }
        }
    }

    /// The calls waiting for the thread, under a condition (a pthread mutex and condition variable, which
    /// ThreadSanitizer sees).
    private final class Queue: @unchecked Sendable {
        private let condition = NSCondition()
        /// Guarded by `condition`.
        private var jobs: [@Sendable () -> Void] = []
        private var head = 0
        private var closed = false

        /// Queues `job`; false when the lane is closed.
        func add(_ job: @escaping @Sendable () -> Void) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            guard !closed else { return false }
            jobs.append(job)
            condition.signal()
            return true
        }

        /// The next job, waiting for one; nil once the lane is closed and every job queued before was taken.
        func next() -> (@Sendable () -> Void)? {
            condition.lock()
            defer { condition.unlock() }
            while head == jobs.count {
                if closed { return nil }
                condition.wait()
            }
            let job = jobs[head]
            head += 1
            if head == jobs.count { (jobs, head) = ([], 0) }
            return job
        }

        func close() {
            condition.lock()
            closed = true
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The continuation of ``run(within:_:)``, resumed once by whichever of the call and the deadline comes first.
    private final class Waiting<T: Sendable>: Sendable {
        let slot = Locked<CheckedContinuation<T?, Never>?>(nil)
    }
}
