/// An HDR-style histogram of latencies in microseconds: exact below 128 µs, then 64 buckets per power of two,
/// so any percentile it reports is within 1.6% above the true value (and never above the exact maximum).
/// Recording is O(1) and memory stays small (about 2,000 counters up to an hour).
public struct LatencyHistogram: Sendable, Hashable {
    /// Buckets below this are one microsecond wide.
    static let linearBuckets: UInt64 = 128
    /// Buckets per power of two above that.
    static let bucketsPerOctave: UInt64 = 64

    private(set) var counts: [UInt64] = []
    /// How many values were recorded.
    public private(set) var count: UInt64 = 0
    /// The smallest value recorded (0 when empty).
    public private(set) var minimum: UInt64 = 0
    /// The largest value recorded (0 when empty).
    public private(set) var maximum: UInt64 = 0
    /// The sum of the values recorded.
    public private(set) var sum: UInt64 = 0

    /// An empty histogram.
    public init() {}

    /// The mean, or 0 when empty.
    public var mean: Double { count == 0 ? 0 : Double(sum) / Double(count) }

    /// Records one value, in microseconds.
    public mutating func record(_ microseconds: UInt64) {
        let index = Int(Self.bucket(of: microseconds))
        if index >= counts.count { counts += Array(repeating: 0, count: index + 1 - counts.count) }
        counts[index] += 1
        minimum = count == 0 ? microseconds : Swift.min(minimum, microseconds)
        maximum = Swift.max(maximum, microseconds)
        count += 1
        sum &+= microseconds
    }

    /// Records a duration (rounded down to whole microseconds; negative counts as 0).
    public mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return record(0) }
        let micros = Swift.min(seconds, 1_000_000_000) * 1_000_000 + attoseconds / 1_000_000_000_000
        record(UInt64(micros))
    }

    /// Adds every value of `other`.
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        if other.counts.count > counts.count { counts += Array(repeating: 0, count: other.counts.count - counts.count) }
        for (index, value) in other.counts.enumerated() { counts[index] += value }
        minimum = count == 0 ? other.minimum : Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
        count += other.count
        sum &+= other.sum
    }

    /// The value at `percentile` (0...100): the smallest recorded value's bucket such that at least that share
    /// of values are at or below it, reported as the bucket's upper edge, capped at the maximum. 0 when empty.
    public func value(atPercentile percentile: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let clamped = Swift.min(Swift.max(percentile, 0), 100)
        let rank = Swift.max(1, UInt64((clamped / 100 * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, value) in counts.enumerated() where value > 0 {
            seen += value
            if seen >= rank {
                return Swift.max(Swift.min(Self.upperEdge(of: UInt64(index)), maximum), minimum)
            }
        }
        return maximum
    }

    /// The bucket a value falls in.
    static func bucket(of value: UInt64) -> UInt64 {
        guard value >= linearBuckets else { return value }
        let bitLength = UInt64(64 - value.leadingZeroBitCount)
        let shift = bitLength - 7
        let top = value >> shift  // 64...127
        return linearBuckets + (shift - 1) * bucketsPerOctave + (top - bucketsPerOctave)
    }

    /// The largest value that falls in a bucket.
    static func upperEdge(of bucket: UInt64) -> UInt64 {
        guard bucket >= linearBuckets else { return bucket }
        let shift = (bucket - linearBuckets) / bucketsPerOctave + 1
        let top = (bucket - linearBuckets) % bucketsPerOctave + bucketsPerOctave
        return ((top + 1) << shift) - 1
    }
}
