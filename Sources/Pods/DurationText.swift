/// Durations written the way people write them on a command line: `50ms`, `1.5s`, `250us`, `0`.
enum DurationText {
    private static let units: [(suffix: String, nanoseconds: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9),
    ]

    /// Parses a non-negative duration with a unit (`ns`, `us`, `ms`, `s`); a bare `0` is zero.
    static func parse(_ text: String) throws(PodsError) -> Duration {
        if text == "0" { return .zero }
        // Longest suffix first, so `ms` is not read as `s`.
        for unit in units.sorted(by: { $0.suffix.count > $1.suffix.count }) where text.hasSuffix(unit.suffix) {
            let number = String(text.dropLast(unit.suffix.count))
            guard let value = Double(number), value.isFinite, value >= 0 else { break }
            let nanoseconds = value * unit.nanoseconds
            guard nanoseconds < Double(Int64.max) else { break }
            return .nanoseconds(Int64(nanoseconds.rounded()))
        }
        throw PodsError(
            .invalidArgument, "not a duration: '\(text)' (expected a number and a unit: ns, us, ms or s, e.g. 50ms)")
    }

    /// Writes a duration in the largest unit that keeps it whole: `50ms`, `2s`, `1500us`.
    static func format(_ duration: Duration) -> String {
        let nanoseconds = duration.nanosecondsClamped
        if nanoseconds == 0 { return "0" }
        for (suffix, size) in [("s", Int64(1_000_000_000)), ("ms", 1_000_000), ("us", 1_000)]
        where nanoseconds % size == 0 {
            return "\(nanoseconds / size)\(suffix)"
        }
        return "\(nanoseconds)ns"
    }
}
