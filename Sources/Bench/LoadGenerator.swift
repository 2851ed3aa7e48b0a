import NIOCore
import NIOPosix
import Synchronization

/// The load generator: SwiftNIO connections, open or closed loop, from a set of client source addresses.
/// Latency is measured from a request's start (closed loop) or its scheduled start (open loop), connection set-up
/// included when the request opened one.
public struct LoadGenerator: Sendable {
    /// Where requests go.
    public var target: SocketAddress
    /// The client source addresses (connections take them in turn).
    public var sources: [SocketAddress]
    /// The load.
    public var shape: LoadShape
    /// The event loops that run the connections.
    public var group: any EventLoopGroup

    /// A generator; `sources` must not be empty.
    public init(
        target: SocketAddress, sources: [SocketAddress], shape: LoadShape,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.target = target
        self.sources = sources
        self.shape = shape
        self.group = group
    }

    /// Drives the load for `shape.duration` (or until `interruption`), recording into `recorder`; returns once
    /// every request started has finished.
    public func run(recorder: RunRecorder, interruption: BenchInterruption) async {
        let pool = ConnectionPool(
            target: target, host: target.ipAddress ?? "bench", sources: sources, timeout: shape.timeout,
            budget: shape.requestsPerConnection == 0 ? nil : shape.requestsPerConnection, group: group)
        let deadline = ContinuousClock.now + shape.duration
        switch shape.mode {
        case .closed(let concurrency):
            await withDiscardingTaskGroup { tasks in
                for _ in 0..<concurrency {
                    tasks.addTask {
                        await closedLoopClient(pool, recorder, deadline: deadline, interruption: interruption)
                    }
                }
            }
        case .open(let rate):
            await openLoop(pool, recorder, rate: rate, deadline: deadline, interruption: interruption)
        }
        pool.closeAll()
    }

    private func closedLoopClient(
        _ pool: ConnectionPool, _ recorder: RunRecorder, deadline: ContinuousClock.Instant,
        interruption: BenchInterruption
    ) async {
        // Every client sends at least one request, however late it starts.
        var current: ConnectionPool.Lease?
        repeat {
            let start = ContinuousClock.now
            current = await exchange(current, pool, recorder, since: start)
            if let lease = current, let budget = pool.budget, lease.used >= budget {
                lease.connection.close()
                current = nil
            }
            if shape.think > .zero, ContinuousClock.now < deadline { try? await Task.sleep(for: shape.think) }
        } while ContinuousClock.now < deadline && !interruption.isRequested
        current?.connection.close()
    }

    private func openLoop(
        _ pool: ConnectionPool, _ recorder: RunRecorder, rate: Double, deadline: ContinuousClock.Instant,
        interruption: BenchInterruption
    ) async {
        let interval = Duration.nanoseconds(Int64(1e9 / rate))
        let start = ContinuousClock.now
        await withDiscardingTaskGroup { tasks in
            var index = 0
            while !interruption.isRequested {
                let scheduled = start + interval * index
                guard scheduled < deadline else { break }
                if ContinuousClock.now < scheduled { try? await Task.sleep(until: scheduled, clock: .continuous) }
                tasks.addTask {
                    // A nil lease takes an idle keep-alive connection or opens one.
                    if let used = await exchange(nil, pool, recorder, since: scheduled) { pool.release(used) }
                }
                index += 1
            }
        }
    }

    /// One request on `lease` (or on a new connection when nil), recorded; returns the connection if it is still
    /// usable.
    private func exchange(
        _ lease: ConnectionPool.Lease?, _ pool: ConnectionPool, _ recorder: RunRecorder,
        since start: ContinuousClock.Instant
    ) async -> ConnectionPool.Lease? {
        var current = lease
        do {
            if current == nil { current = try await pool.acquire(recorder: recorder) }
            guard var active = current else { return nil }
            active.used += 1
            current = active
            let pod = try await active.connection.request(number: active.used)
            recorder.answered(by: pod, after: ContinuousClock.now - start)
            return active
        } catch {
            recorder.failed(RequestFailure.classify(error))
            current?.connection.close()
            return nil
        }
    }
}
