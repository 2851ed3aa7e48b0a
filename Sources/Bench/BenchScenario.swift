import IPVS

/// A benchmark scenario: the pods and their behaviour, the schedulers to compare, the load, the clients.
/// Decoded from YAML by ``BenchScenario/init(yaml:file:)``; see docs/scheduler-benchmarks.md for the format.
public struct BenchScenario: Sendable, Hashable {
    /// A short name (used for output file names).
    public var name: String
    /// What the scenario shows, for a person.
    public var summary: String
    /// The backends, in order: pod `i` is `pod-i`.
    public var pods: [BenchPod]
    /// The schedulers, run one after another on the same workload.
    public var schedulers: [Scheduler]
    /// The load.
    public var load: LoadShape
    /// How many client source addresses the requests come from (round robin over them, per connection).
    public var clientAddresses: Int
    /// Persistence (session affinity) timeout of the virtual server, or nil for none.
    public var persistence: Duration?
    /// What happens to pods during each run.
    public var events: [PodEvent]
    /// How long the load generator's ceiling is measured (against one pod directly, without IPVS).
    public var ceilingDuration: Duration

    /// A scenario.
    public init(
        name: String, summary: String = "", pods: [BenchPod], schedulers: [Scheduler], load: LoadShape,
        clientAddresses: Int = 1, persistence: Duration? = nil, events: [PodEvent] = [],
        ceilingDuration: Duration = .seconds(3)
    ) {
        self.name = name
        self.summary = summary
        self.pods = pods
        self.schedulers = schedulers
        self.load = load
        self.clientAddresses = clientAddresses
        self.persistence = persistence
        self.events = events
        self.ceilingDuration = ceilingDuration
    }

    /// Pod `index`'s name.
    public static func podName(_ index: Int) -> String { "pod-\(index)" }

    /// The pods' names, in order.
    public var podNames: [String] { pods.indices.map(Self.podName) }
}
