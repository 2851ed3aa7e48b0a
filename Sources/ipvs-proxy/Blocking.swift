import NIOPosix

/// Where the commands' blocking start-up work runs: opening netlink sockets and the first kernel queries, sysctls,
/// kubeconfig and state files, and `run --cleanup`'s whole pass. It goes to NIO's thread pool, so no thread of
/// Swift's cooperative pool waits on the kernel or the disk; errors come back as they were thrown.
enum Blocking {
    /// Runs `work` on NIO's thread pool and returns what it returns.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
