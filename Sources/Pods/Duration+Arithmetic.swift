/// Conversions between `Duration` and numbers, clamped rather than trapping (shared with Bench and ipvs-bench).
extension Duration {
    /// The duration in whole nanoseconds, clamped to the range of `Int64`.
    package var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflowed) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, overflowedAgain) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflowed || overflowedAgain { return seconds < 0 ? .min : .max }
        return sum
    }

    /// The duration in seconds, as a floating-point number.
    package var secondsAsDouble: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    /// This duration times a non-negative factor, clamped to `Int64.max` nanoseconds.
    package func scaled(by factor: Double) -> Duration {
        Duration.clampedSeconds(secondsAsDouble * factor, maximum: .nanoseconds(Int64.max))
    }

    /// A duration of `seconds`, clamped into `0...maximum` (not-a-number gives `maximum`).
    package static func clampedSeconds(_ seconds: Double, maximum: Duration) -> Duration {
        let nanoseconds = seconds * 1e9
        // Compared as doubles: `Double(Int64.max)` rounds up to 2^63, so anything below it converts safely.
        guard nanoseconds.isFinite, nanoseconds < Double(maximum.nanosecondsClamped) else { return maximum }
        return .nanoseconds(Int64(max(0, nanoseconds)))
    }
}
