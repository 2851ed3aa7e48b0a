import Values
import NIOCore
import Synchronization

/// Opens the load generator's connections, from the client source addresses in turn, and keeps idle
/// keep-alive connections for the open loop to reuse.
final class ConnectionPool: Sendable {
    /// A connection and how many requests it has carried.
    struct Lease: Sendable {
        let connection: BenchConnection
        var used: Int
    }

    let target: SocketAddress
    let host: String
    let sources: [SocketAddress]
    let timeout: Duration
    /// Requests per connection (nil: no limit).
    let budget: Int?
    let group: any EventLoopGroup
    private let nextSource = Atomic<Int>(0)
    private let idle = Locked<[Lease]>([])

    init(
        target: SocketAddress, host: String, sources: [SocketAddress], timeout: Duration, budget: Int?,
        group: any EventLoopGroup
    ) {
        precondition(!sources.isEmpty, "a connection pool needs a source address")
        self.target = target
        self.host = host
        self.sources = sources
        self.timeout = timeout
        self.budget = budget
        self.group = group
    }

    /// An idle connection with budget left, or a new one.
    func acquire(recorder: RunRecorder) async throws -> Lease {
        if let lease = idle.withLock({ $0.popLast() }) { return lease }
        let index = nextSource.wrappingAdd(1, ordering: .relaxed).oldValue
        let source = sources[index % sources.count]
        let connection = try await BenchConnection.connect(
            to: target, from: source, host: host, timeout: timeout, budget: budget, group: group)
        recorder.connected()
        return Lease(connection: connection, used: 0)
    }

    /// Gives back a connection that carried a request: kept if it has budget left, closed otherwise.
    func release(_ lease: Lease) {
        if let budget, lease.used >= budget {
            lease.connection.close()
        } else {
            idle.withLock { $0.append(lease) }
        }
    }

    /// Closes every idle connection.
    func closeAll() {
        for lease in idle.withLock({ pool in
            defer { pool.removeAll() }; return pool
        }) { lease.connection.close() }
    }
}
