import Foundation

/// Text forms of numbers shared by the table and the chart (durations are written in Go's syntax, `GoDuration`).
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
}
