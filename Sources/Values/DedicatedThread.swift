import Foundation

/// A blocking call made on a new thread of its own, never on Swift's cooperative pool, awaited with a deadline:
/// for the calls that cannot be interrupted (a library that talks to the kernel) and are rare enough that a thread
/// per call costs nothing that matters.
public enum DedicatedThread {
    /// `body`'s result, computed on a new thread named `name`; nil when `deadline` passes first (the thread then
    /// runs on, and its result is dropped).
    public static func run<T: Sendable>(
        name: String, within deadline: Duration, _ body: @escaping @Sendable () -> T
    ) async -> T? {
        await result(within: deadline) { finish in
            let thread = Thread {
                nameCurrentThread(name)
                finish(body())
            }
            thread.start()
        }
    }

    /// The value `start` hands to `finish` (from another thread, once), or nil when `deadline` passes first (a
    /// later value is dropped) or `start` hands nil: how a blocking call made elsewhere is awaited with a deadline.
    static func result<T: Sendable>(
        within deadline: Duration, _ start: (_ finish: @escaping @Sendable (T?) -> Void) -> Void
    ) async -> T? {
        let waiting = Waiting<T>()
        return await withCheckedContinuation { continuation in
            waiting.slot.withLock { $0 = continuation }
            let timer = Task {
                guard (try? await Task.sleep(for: deadline)) != nil else { return }
                waiting.slot.withLock { $0.take() }?.resume(returning: nil)
            }
            start { value in
                timer.cancel()
                waiting.slot.withLock { $0.take() }?.resume(returning: value)
            }
        }
    }

    /// Names the calling thread `name` (its first 15 bytes), as profiles and `/proc` show it. Foundation's
    /// `Thread.current.name = name` reaches the kernel only when the thread that started this one has already
    /// recorded it (a race in `Thread.start()`: under ThreadSanitizer it lost most times, and the thread kept its
    /// creator's name); a name set before start does not reach it at all. So the kernel's name is written here.
    static func nameCurrentThread(_ name: String) {
        Thread.current.name = name
        guard let comm = FileHandle(forWritingAtPath: "/proc/thread-self/comm") else { return }
        try? comm.write(contentsOf: Array(name.utf8.prefix(15)))
        try? comm.close()
    }

    /// The continuation of ``result(within:_:)``, resumed once by whichever of the value and the deadline comes
    /// first.
    private final class Waiting<T: Sendable>: Sendable {
        let slot = Locked<CheckedContinuation<T?, Never>?>(nil)
    }
}

extension DedicatedThread {
    /// Runs `side` on a new thread named `name` while `main` runs on the calling thread, and returns both results
    /// once both are done: two blocking batches the kernel serves in parallel (IPVS over generic netlink, addresses
    /// over rtnetlink: different sockets, different locks). The caller waits for `side` whatever `main` does, so
    /// `side` must be bounded on its own (each of a netlink exchange's waits has a receive timeout).
    public static func alongside<Side: Sendable, Main>(
        name: String, _ side: @escaping @Sendable () -> Side, _ main: () -> Main
    ) -> (side: Side, main: Main) {
        let join = Join<Side>()
        let thread = Thread {
            nameCurrentThread(name)
            join.finish(side())
        }
        thread.start()
        let mainResult = main()
        return (join.wait(), mainResult)
    }

    /// The result of ``alongside(name:_:_:)``'s thread, handed over under a condition (a pthread mutex and
    /// condition variable, which ThreadSanitizer sees).
    private final class Join<T: Sendable>: @unchecked Sendable {
        private let condition = NSCondition()
        /// Guarded by `condition`; set once, by the thread.
        private var result: T?

        func finish(_ value: T) {
            condition.lock()
            result = value
            condition.signal()
            condition.unlock()
        }

        func wait() -> T {
            condition.lock()
            defer { condition.unlock() }
            while true {
                if let result { return result }
                condition.wait()
            }
        }
    }
}
