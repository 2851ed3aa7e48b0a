extension SchedulerResult {
    /// The result of a scheduler's run from what its recorder saw and the connection samples (one series per pod).
    init(
        scheduler: String, snapshot: RunRecorder.Snapshot, seconds: Double, podNames: [String],
        activeConnections: [[UInt32]], sampleInterval: Double
    ) {
        let counts = podNames.map { snapshot.answersByPod[$0] ?? 0 }
        let shares = ShareMath.shares(counts)
        let latency = snapshot.latency
        func milliseconds(_ percentile: Double) -> Double { Double(latency.value(atPercentile: percentile)) / 1000 }
        self.init(
            scheduler: scheduler, requests: snapshot.answered,
            errors: Dictionary(uniqueKeysWithValues: snapshot.failures.map { ($0.key.rawValue, $0.value) }),
            connections: snapshot.connections, seconds: seconds,
            throughput: Double(snapshot.answered) / max(seconds, 1e-3),
            latency: Latency(
                p50: milliseconds(50), p95: milliseconds(95), p99: milliseconds(99),
                max: Double(latency.maximum) / 1000, mean: latency.mean / 1000),
            pods: podNames.indices.map { index in
                let series = index < activeConnections.count ? activeConnections[index] : []
                return PodShare(
                    name: podNames[index], requests: counts[index], share: shares[index],
                    meanActiveConnections: ShareMath.mean(series), maxActiveConnections: series.max() ?? 0)
            },
            sampleIntervalSeconds: sampleInterval, activeConnections: activeConnections, nearGeneratorCeiling: false)
    }
}
