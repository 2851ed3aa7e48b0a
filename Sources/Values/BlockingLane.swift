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
            DedicatedThread.nameCurrentThread(name)
            while let job = queue.next() { job() }
        }
        thread.start()
    }

    deinit { queue.close() }

    /// `body`'s result, computed on the lane's thread after the calls given before it; nil when `deadline` passes
    /// first (the call then runs on, its result dropped, and the calls after it wait for it) or when the lane was
    /// closed.
    public func run<T: Sendable>(within deadline: Duration, _ body: @escaping @Sendable () -> T) async -> T? {
        await DedicatedThread.result(within: deadline) { finish in
            if !queue.add({ finish(body()) }) { finish(nil) }
        }
    }

    /// How many calls wait for the thread (the one it runs is not counted).
    var waitingCalls: Int { queue.waiting }

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

        var waiting: Int {
            condition.lock()
            defer { condition.unlock() }
            return jobs.count - head
        }

        func close() {
            condition.lock()
            closed = true
            condition.broadcast()
            condition.unlock()
        }
    }
}
