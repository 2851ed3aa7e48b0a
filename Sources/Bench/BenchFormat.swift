import Foundation

/// Text forms of numbers and durations shared by the table, the chart and the scenario reader.
public enum BenchFormat {
    /// A number with at most `digits` decimals and no trailing zeros: 200, 12.5, 0.33.
    public static func number(_ value: Double, digits: Int = 2) -> String {
        guard value.isFinite else { return "-" }
        var text = String(format: "%.\(digits)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// Milliseconds with a precision that fits their size: 0.42, 5.3, 120.
    public static func milliseconds(_ value: Double) -> String {
        if value < 1 { return String(format: "%.2f", value) }
        if value < 100 { return String(format: "%.1f", value) }
        return String(format: "%.0f", value)
    }

    /// Seconds as `8s`, `250ms`, `1.5s`.
    public static func duration(_ duration: Duration) -> String {
        let seconds = duration.seconds
        if seconds >= 1 || seconds == 0 { return number(seconds) + "s" }
        return number(seconds * 1000) + "ms"
    }

    /// Parses `250ms`, `8s`, `1.5s`, `500us`, `2m` or a bare `0`.
    public static func parseDuration(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "0" { return .zero }
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9), ("s", 1), ("m", 60)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count)), value.isFinite, value >= 0 else { return nil }
            return .nanoseconds(Int64((value * scale * 1e9).rounded()))
        }
        return nil
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
