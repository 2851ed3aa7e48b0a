import Synchronization

/// A flag set on SIGINT or SIGTERM: the load stops at once and the benchmark cleans up everything it made
/// before it returns (tasks are not cancelled, so the cleanup's own waits still work).
public final class BenchInterruption: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Not requested yet.
    public init() {}

    /// Asks the benchmark to stop.
    public func request() { flag.store(true, ordering: .relaxed) }

    /// Whether a stop was asked for.
    public var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// Throws ``BenchError/Code/interrupted`` if a stop was asked for.
    func check() throws(BenchError) {
        if isRequested { throw BenchError(.interrupted, "interrupted: cleaned up and stopped") }
    }
}
