/// The arithmetic of "who got what share of the requests", kept pure so it is unit-tested.
public enum ShareMath {
    /// Each count's share of the total (0...1); all zero when the total is zero.
    public static func shares(_ counts: [UInt64]) -> [Double] {
        let total = counts.reduce(0, +)
        guard total > 0 else { return counts.map { _ in 0 } }
        return counts.map { Double($0) / Double(total) }
    }

    /// The share each weight entitles its server to under a weighted scheduler (0...1); all zero when every
    /// weight is zero.
    public static func weightShares(_ weights: [Int32]) -> [Double] {
        shares(weights.map { UInt64(max($0, 0)) })
    }

    /// The largest absolute difference between two share vectors (0 when either is empty).
    public static func maximumDeviation(_ shares: [Double], from expected: [Double]) -> Double {
        zip(shares, expected).map { abs($0 - $1) }.max() ?? 0
    }

    /// The mean of a series (0 when empty).
    public static func mean(_ values: [UInt32]) -> Double {
        values.isEmpty ? 0 : Double(values.reduce(0) { $0 + UInt64($1) }) / Double(values.count)
    }
}
