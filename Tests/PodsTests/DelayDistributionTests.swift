import Foundation
import Testing

@testable import Pods

@Suite struct DelayDistributionTests {
    @Test(arguments: [
        ("none", DelayDistribution.none),
        ("0", .none),
        ("const:0", .none),
        ("50ms", .constant(.milliseconds(50))),
        ("const:50ms", .constant(.milliseconds(50))),
        ("exp:20ms", .exponential(mean: .milliseconds(20))),
        ("exponential:1s", .exponential(mean: .seconds(1))),
        ("lognormal:20ms:0.8", .logNormal(median: .milliseconds(20), sigma: 0.8)),
        ("pareto:10ms:1.5", .pareto(minimum: .milliseconds(10), shape: 1.5)),
    ])
    func parses(text: String, expected: DelayDistribution) throws {
        #expect(try DelayDistribution(parsing: text) == expected)
    }

    @Test(arguments: [
        "", "fast", "exp:", "exp:20", "exp:20ms:3", "lognormal:20ms", "lognormal:20ms:-1", "pareto:10ms:0",
        "pareto:10ms:x", "uniform:1ms:2ms", "const:-1ms",
    ])
    func refuses(text: String) {
        #expect(throws: PodsError.self) { try DelayDistribution(parsing: text) }
        #expect(DelayDistribution(text) == nil)
    }

    @Test(arguments: [
        DelayDistribution.none, .constant(.microseconds(1500)), .exponential(mean: .milliseconds(20)),
        .logNormal(median: .milliseconds(20), sigma: 0.8), .pareto(minimum: .milliseconds(10), shape: 1.5),
    ])
    func descriptionReadsBack(distribution: DelayDistribution) throws {
        #expect(try DelayDistribution(parsing: distribution.description) == distribution)
        let json = try JSONEncoder().encode([distribution])
        #expect(try JSONDecoder().decode([DelayDistribution].self, from: json) == [distribution])
    }

    @Test func constantAndNoneAreExact() {
        var generator = SeededRandomNumberGenerator(seed: 7)
        #expect(DelayDistribution.none.sample(using: &generator) == .zero)
        #expect(DelayDistribution.constant(.milliseconds(30)).sample(using: &generator) == .milliseconds(30))
        #expect(DelayDistribution.constant(.seconds(3600)).sample(using: &generator) == DelayDistribution.maximumSample)
    }

    @Test func sameSeedSameDelays() {
        let distribution = DelayDistribution.exponential(mean: .milliseconds(10))
        var first = SeededRandomNumberGenerator(seed: 42)
        var second = SeededRandomNumberGenerator(seed: 42)
        var other = SeededRandomNumberGenerator(seed: 43)
        let a = (0..<50).map { _ in distribution.sample(using: &first) }
        let b = (0..<50).map { _ in distribution.sample(using: &second) }
        let c = (0..<50).map { _ in distribution.sample(using: &other) }
        #expect(a == b)
        #expect(a != c)
    }

    /// Sample statistics from 40,000 seeded draws against the distribution's parameters (seeded, so the result is
    /// fixed; the tolerances are several standard errors wide).
    @Test(arguments: [
        (DelayDistribution.exponential(mean: .milliseconds(20)), 0.020, 0.020 * log(2.0)),
        (.logNormal(median: .milliseconds(20), sigma: 0.5), 0.020 * exp(0.125), 0.020),
        (.pareto(minimum: .milliseconds(10), shape: 3), 0.015, 0.010 * pow(2.0, 1.0 / 3.0)),
    ])
    func samplesMatchTheDistribution(distribution: DelayDistribution, mean: Double, median: Double) {
        var generator = SeededRandomNumberGenerator(seed: 1)
        let samples = (0..<40_000).map { _ in distribution.sample(using: &generator).secondsAsDouble }.sorted()
        let sampleMean = samples.reduce(0, +) / Double(samples.count)
        #expect(abs(sampleMean - mean) / mean < 0.03)
        #expect(abs(samples[samples.count / 2] - median) / median < 0.03)
        #expect(samples.allSatisfy { $0 >= 0 })
        #expect(distribution.mean.map { abs($0.secondsAsDouble - mean) / mean < 1e-6 } == true)
    }

    @Test func paretoNeverGoesBelowItsMinimumNorAboveTheClamp() {
        let distribution = DelayDistribution.pareto(minimum: .milliseconds(5), shape: 0.3)
        var generator = SeededRandomNumberGenerator(seed: 9)
        let samples = (0..<10_000).map { _ in distribution.sample(using: &generator) }
        #expect(samples.allSatisfy { $0 >= .milliseconds(5) && $0 <= DelayDistribution.maximumSample })
        #expect(samples.contains(DelayDistribution.maximumSample))
        #expect(distribution.mean == nil)
    }

    @Test func samplerFollowsChanges() {
        let sampler = DelaySampler(.constant(.milliseconds(5)), seed: 1)
        #expect(sampler.next() == .milliseconds(5))
        sampler.distribution = .constant(.milliseconds(80))
        #expect(sampler.next() == .milliseconds(80))
        #expect(sampler.distribution == .constant(.milliseconds(80)))
    }
}
