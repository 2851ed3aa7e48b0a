import Foundation

/// Durations as kube-proxy writes them (Go's time.ParseDuration: "30s", "1m30s", "2h22m", "500ms", "1.5h"),
/// plus a bare number of seconds as ipvs-proxy's flags always took.
public enum GoDuration {
    static let units: [(suffix: String, nanoseconds: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// The duration `text` means; nil when it is not one, or negative.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed) { return seconds >= 0 && seconds.isFinite ? .seconds(seconds) : nil }
        var rest = Substring(trimmed)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !$0.isNumber && $0 != "." }
            guard let unit = units.first(where: { $0.suffix == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.nanoseconds
        }
        return .nanoseconds(Int64(total.rounded()))
    }
}
