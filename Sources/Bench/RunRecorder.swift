import Values

/// What one measured run has seen so far: latencies of answered requests, answers per pod, failures by kind.
/// Shared by every request task of the run; cheap to update.
public final class RunRecorder: Sendable {
    /// A copy of what was recorded.
    public struct Snapshot: Sendable {
        /// Latencies of answered requests (µs).
        public var latency = LatencyHistogram()
        /// Answers per pod name.
        public var answersByPod: [String: UInt64] = [:]
        /// Failures by kind.
        public var failures: [RequestFailure: UInt64] = [:]
        /// Connections opened.
        public var connections: UInt64 = 0

        /// Answered requests.
        public var answered: UInt64 { latency.count }
        /// Failed requests.
        public var failed: UInt64 { failures.values.reduce(0, +) }
    }

    private let state = Locked(Snapshot())

    /// An empty recorder.
    public init() {}

    /// Records an answer from `pod` after `latency`.
    public func answered(by pod: String, after latency: Duration) {
        state.withLock { snapshot in
            snapshot.latency.record(latency)
            snapshot.answersByPod[pod, default: 0] += 1
        }
    }

    /// Records a failed request.
    public func failed(_ failure: RequestFailure) {
        state.withLock { $0.failures[failure, default: 0] += 1 }
    }

    /// Records a new connection.
    public func connected() {
        state.withLock { $0.connections += 1 }
    }

    /// What was recorded so far.
    public var snapshot: Snapshot { state.withLock { $0 } }

    /// Answered and failed requests so far (for progress).
    public var counts: (answered: UInt64, failed: UInt64) {
        state.withLock { ($0.answered, $0.failed) }
    }
}
