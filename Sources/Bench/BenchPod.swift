import Pods

/// One backend of a scenario: how it answers and its IPVS weight. Pod `i` of a scenario is named `pod-i`.
public struct BenchPod: Sendable, Hashable, Codable {
    /// Its response delay at the start of each scheduler's run.
    public var delay: DelayDistribution
    /// Its real-server weight.
    public var weight: Int32

    /// A pod answering after `delay`, with weight `weight`.
    public init(delay: DelayDistribution = .none, weight: Int32 = 1) {
        self.delay = delay
        self.weight = weight
    }
}
