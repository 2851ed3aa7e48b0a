import Foundation

/// The EndpointSlice controller's trigger time (`endpoints.kubernetes.io/last-change-trigger-time`): Go's
/// `time.RFC3339Nano` in UTC, such as `2026-12-02T12:05:54.123456789Z`, or whole seconds.
public enum TriggerTime {
    /// The time as Unix seconds, or nil when the text is no RFC 3339 time.
    public static func parse(_ text: String) -> Double? {
        // Whole seconds first, then the fraction by hand: Foundation's fractional-seconds parser stops at
        // milliseconds, and Go writes up to nine digits.
        var whole = Substring(text)
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix(while: \.isNumber)
            guard !digits.isEmpty, let value = Double("0." + digits) else { return nil }
            fraction = value
            whole = text[..<dot] + text[digits.endIndex...]
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: String(whole)) else { return nil }
        return date.timeIntervalSince1970 + fraction
    }
}
