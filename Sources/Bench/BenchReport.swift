/// The result of one benchmark run: the scenario as run, the load generator's ceiling, and one result per
/// scheduler. Encoded as the JSON output; the table and the chart are made from it.
public struct BenchReport: Sendable, Codable, Hashable {
    /// One pod as configured.
    public struct Pod: Sendable, Codable, Hashable {
        /// Its name.
        public var name: String
        /// Its real-server weight.
        public var weight: Int32
        /// Its response delay at the start of each run.
        public var delay: String
    }

    /// The load generator's ceiling: the same load shape, closed loop, against one pod that answers at once,
    /// without IPVS. A scheduler's throughput near it means the generator, not the scheduler, set the pace.
    public struct Ceiling: Sendable, Codable, Hashable {
        /// Answers per second.
        public var requestsPerSecond: Double
        /// Concurrent clients used.
        public var concurrency: Int
        /// Median latency, ms.
        public var p50Milliseconds: Double
        /// 99th percentile latency, ms.
        public var p99Milliseconds: Double
        /// Failed requests.
        public var errors: UInt64
    }

    /// The scenario's name.
    public var scenario: String
    /// What it shows.
    public var summary: String
    /// The load, in words.
    public var load: String
    /// The pods.
    public var pods: [Pod]
    /// Client source addresses.
    public var clientAddresses: Int
    /// Persistence timeout in seconds, if any.
    public var persistenceSeconds: Double?
    /// The events of each run, in words.
    public var events: [String]
    /// The kernel it ran on (`uname -r`).
    public var kernel: String
    /// When it ran (ISO 8601, UTC).
    public var date: String
    /// The load generator's ceiling.
    public var ceiling: Ceiling
    /// One result per scheduler, in the order run.
    public var results: [SchedulerResult]

    /// A report.
    public init(
        scenario: String, summary: String, load: String, pods: [Pod], clientAddresses: Int,
        persistenceSeconds: Double?, events: [String], kernel: String, date: String, ceiling: Ceiling,
        results: [SchedulerResult]
    ) {
        self.scenario = scenario
        self.summary = summary
        self.load = load
        self.pods = pods
        self.clientAddresses = clientAddresses
        self.persistenceSeconds = persistenceSeconds
        self.events = events
        self.kernel = kernel
        self.date = date
        self.ceiling = ceiling
        self.results = results
    }

    /// The result of a scheduler, if it ran.
    public func result(_ scheduler: String) -> SchedulerResult? {
        results.first { $0.scheduler == scheduler }
    }
}
