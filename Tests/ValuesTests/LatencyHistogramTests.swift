@testable import Values
import Testing

@Suite struct LatencyHistogramTests {
    @Test func exactBelowTheLinearRange() {
        var histogram = LatencyHistogram()
        for value in 1...100 { histogram.record(UInt64(value)) }
        #expect(histogram.count == 100)
        #expect(histogram.value(atPercentile: 50) == 50)
        #expect(histogram.value(atPercentile: 95) == 95)
        #expect(histogram.value(atPercentile: 99) == 99)
        #expect(histogram.value(atPercentile: 100) == 100)
        #expect(histogram.value(atPercentile: 0) == 1)
        #expect(histogram.minimum == 1)
        #expect(histogram.maximum == 100)
        #expect(histogram.mean == 50.5)
    }

    /// Uniform values from 1 µs to 1 s: each reported percentile is at or above the true one, by under 1.6%.
    @Test(arguments: [50.0, 90, 95, 99, 99.9])
    func percentilesWithinTheBucketError(percentile: Double) {
        var histogram = LatencyHistogram()
        let values = (1...100_000).map { UInt64($0) * 10 }
        for value in values { histogram.record(value) }
        let truth = Double(values[Int((percentile / 100 * Double(values.count)).rounded(.up)) - 1])
        let reported = Double(histogram.value(atPercentile: percentile))
        #expect(reported >= truth)
        #expect(reported <= truth * 1.016, "p\(percentile): \(reported) vs \(truth)")
    }

    @Test func maximumCapsTheTopBucket() {
        var histogram = LatencyHistogram()
        histogram.record(1000)
        histogram.record(1001)
        #expect(histogram.value(atPercentile: 100) == 1001)
        #expect(histogram.value(atPercentile: 99) == 1001)
    }

    @Test func bucketsAreContiguousAndMonotonic() {
        var previous: UInt64 = 0
        for value in UInt64(1)...20_000 {
            let bucket = LatencyHistogram.bucket(of: value)
            #expect(bucket >= previous)
            #expect(LatencyHistogram.upperEdge(of: bucket) >= value)
            if bucket > 0 { #expect(LatencyHistogram.upperEdge(of: bucket - 1) < value) }
            previous = bucket
        }
    }

    @Test func mergeEqualsRecordingEverything() {
        var left = LatencyHistogram()
        var right = LatencyHistogram()
        var all = LatencyHistogram()
        for value in stride(from: UInt64(3), to: 90_000, by: 37) {
            if value % 2 == 0 { left.record(value) } else { right.record(value) }
            all.record(value)
        }
        left.merge(right)
        #expect(left == all)
    }

    @Test func durationsAreRecordedInMicroseconds() {
        var histogram = LatencyHistogram()
        histogram.record(Duration.milliseconds(5))
        histogram.record(Duration.seconds(-1))
        #expect(histogram.maximum == 5000)
        #expect(histogram.minimum == 0)
    }

    @Test func emptyIsZero() {
        let histogram = LatencyHistogram()
        #expect(histogram.value(atPercentile: 99) == 0)
        #expect(histogram.mean == 0)
    }
}
