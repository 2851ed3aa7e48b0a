/// The project's one duration syntax: Go's `time.ParseDuration`, as Kubernetes users write durations in flags,
/// config files and annotations ("30s", "1m30s", "2h45m", "500ms", "1.5h", "250us", "0"). Negative durations are
/// refused: nothing in the proxy waits a negative time.
public enum GoDuration {
    private static let units: [(suffix: String, nanoseconds: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// The duration `text` means in Go's syntax; nil when it is not one, is negative or overflows. With
    /// `bareSeconds`, a plain number ("30", "1.5") is read as seconds, as the proxy's first flags were written.
    public static func parse(_ text: some StringProtocol, bareSeconds: Bool = false) -> Duration? {
        var rest = Substring(text)
        if rest.first == "+" { rest = rest.dropFirst() }
        guard !rest.isEmpty, rest.first != "-" else { return nil }
        if rest == "0" { return .zero }
        if bareSeconds, rest.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            guard let seconds = Double(rest), seconds.isFinite, seconds < 9.2e9 else { return nil }
            return .nanoseconds(Int64((seconds * 1e9).rounded()))
        }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1,
                let value = Double(number)
            else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = units.first(where: { $0.suffix == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.nanoseconds
        }
        guard total.isFinite, total < 9.2e18 else { return nil }
        return .nanoseconds(Int64(total.rounded()))
    }

    /// Go's `Duration.String()`: "1h30m0s", "1m30s", "1.5s", "500ms", "250µs", "0s".
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let total = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        var nanoseconds = total.overflow ? Int64.max : total.partialValue &+ attoseconds / 1_000_000_000
        if nanoseconds == 0 { return "0s" }
        var sign = ""
        if nanoseconds < 0 {
            sign = "-"
            nanoseconds = nanoseconds == .min ? .max : -nanoseconds
        }
        let value = UInt64(nanoseconds)
        if value < 1_000_000_000 {
            if value < 1_000 { return "\(sign)\(value)ns" }
            if value < 1_000_000 { return sign + fraction(value, 1_000) + "µs" }
            return sign + fraction(value, 1_000_000) + "ms"
        }
        var text = fraction(value % 60_000_000_000, 1_000_000_000) + "s"
        let minutes = value / 60_000_000_000
        if minutes > 0 {
            text = "\(minutes % 60)m" + text
            if minutes >= 60 { text = "\(minutes / 60)h" + text }
        }
        return sign + text
    }

    /// `value / unit` in decimal, without trailing zeros ("1.5", "250", "0.001").
    private static func fraction(_ value: UInt64, _ unit: UInt64) -> String {
        let whole = value / unit
        var remainder = value % unit
        guard remainder != 0 else { return "\(whole)" }
        var digits = String(remainder)
        digits = String(repeating: "0", count: String(unit).count - 1 - digits.count) + digits
        while digits.hasSuffix("0") {
            digits.removeLast()
            remainder /= 10
        }
        return "\(whole).\(digits)"
    }
}
