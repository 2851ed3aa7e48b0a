/// What one scheduler did with the scenario's workload.
public struct SchedulerResult: Sendable, Codable, Hashable {
    /// Latency of answered requests, in milliseconds.
    public struct Latency: Sendable, Codable, Hashable {
        /// Median.
        public var p50: Double
        /// 95th percentile.
        public var p95: Double
        /// 99th percentile.
        public var p99: Double
        /// Slowest answer.
        public var max: Double
        /// Mean.
        public var mean: Double
    }

    /// One pod's part.
    public struct PodShare: Sendable, Codable, Hashable {
        /// The pod.
        public var name: String
        /// Requests it answered.
        public var requests: UInt64
        /// Its share of all answered requests (0...1).
        public var share: Double
        /// Mean of its active connections, as sampled from the IPVS table.
        public var meanActiveConnections: Double
        /// Most active connections seen.
        public var maxActiveConnections: UInt32
    }

    /// The scheduler's name (rr, wlc, ...).
    public var scheduler: String
    /// Answered requests.
    public var requests: UInt64
    /// Failed requests, by kind.
    public var errors: [String: UInt64]
    /// Connections opened.
    public var connections: UInt64
    /// Wall time of the run, seconds (the load's duration plus the last requests' completion).
    public var seconds: Double
    /// Answers per second.
    public var throughput: Double
    /// Latency percentiles.
    public var latency: Latency
    /// Each pod's part, in pod order.
    public var pods: [PodShare]
    /// Seconds between active-connection samples.
    public var sampleIntervalSeconds: Double
    /// Active connections per pod at each sample, in pod order (the IPVS table's ActiveConn).
    public var activeConnections: [[UInt32]]
    /// True when the throughput came within 80% of the load generator's ceiling: the generator may have limited it.
    public var nearGeneratorCeiling: Bool

    /// Failed requests in all.
    public var errorCount: UInt64 { errors.values.reduce(0, +) }

    /// The share of a pod, by name (0 if it answered nothing).
    public func share(of pod: String) -> Double {
        pods.first { $0.name == pod }?.share ?? 0
    }
}
