import Health
import Kube
import Values

/// Reads `ipvs-proxy.io/health-check*` annotation values, collecting a diagnostic for each bad one (the value is
/// then ignored and the default used).
struct HealthAnnotationParser {
    let service: ValidatedService
    var diagnostics: [ServiceDiagnostic] = []

    init(service: ValidatedService) {
        self.service = service
    }

    /// The HTTP probe `kind` becomes: kept when it is already HTTP, else GET / expecting 200-399.
    static func http(from kind: HealthProbeKind) -> HealthProbeKind {
        if case .http = kind { return kind }
        return .http(path: "/", host: nil, statuses: 200...399)
    }

    mutating func bad(_ key: String, _ value: String, expected: String) {
        refused(key, value, "is not valid (expected \(expected))")
    }

    /// A diagnostic for `value` of `key`, refused for `problem` (a ``HealthProbeRules`` finding); the value is shown
    /// escaped, so that it cannot break the log line.
    mutating func refused(_ key: String, _ value: String, _ problem: String) {
        diagnostics.append(
            ServiceDiagnostic(
                code: .badAnnotation,
                service: service.key.description,
                field: "metadata.annotations[\(key)]",
                message: "\(HealthProbeRules.quoted(value)) \(problem); the default is used"
            )
        )
    }

    /// The trimmed value, or nil (and a diagnostic) when `problem` finds one.
    mutating func checked(_ key: String, _ problem: (String) -> String?) -> String? {
        guard let value = text(key) else { return nil }
        if let found = problem(value) {
            refused(key, value, found)
            return nil
        }
        return value
    }

    /// The value as given, or nil when absent.
    func rawText(_ key: String) -> String? { service.annotations[key] }

    /// The trimmed value, or nil when absent or empty.
    func text(_ key: String) -> String? {
        guard let value = service.annotations[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            return nil
        }
        return value
    }

    /// The trimmed, lower-cased value.
    func word(_ key: String) -> String? { text(key)?.lowercased() }

    /// A duration in Go's syntax ("5s", "500ms", "1m30s") or a bare number of seconds; more than zero, and
    /// refused when `floor` finds a problem with it (``HealthProbeRules``' least interval or timeout).
    mutating func duration(_ key: String, floor: (Duration) -> String?) -> Duration? {
        guard let value = word(key) else { return nil }
        guard let duration = GoDuration.parse(value, bareSeconds: true), duration > .zero else {
            bad(key, value, expected: "a duration like 5s or 1m30s")
            return nil
        }
        if let problem = floor(duration) {
            refused(key, value, problem)
            return nil
        }
        return duration
    }

    /// A count from 1 to 1000.
    mutating func count(_ key: String) -> Int? {
        guard let value = word(key) else { return nil }
        guard let number = Int(value), (1...1000).contains(number) else {
            bad(key, value, expected: "a whole number from 1 to 1000")
            return nil
        }
        return number
    }

    /// One of `Choice`'s values, by its raw value (lower-cased); nil, and a diagnostic naming `expected`, for anything
    /// else.
    mutating func choice<Choice: RawRepresentable<String>>(
        _ key: String, _ type: Choice.Type, expected: String
    ) -> Choice? {
        guard let value = word(key) else { return nil }
        guard let choice = Choice(rawValue: value) else {
            bad(key, value, expected: expected)
            return nil
        }
        return choice
    }

    /// "200" or "200-399", within 100-599.
    mutating func statuses(_ key: String) -> ClosedRange<Int>? {
        guard let value = word(key) else { return nil }
        let parts = value.split(separator: "-", omittingEmptySubsequences: false).map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard (1...2).contains(parts.count), let low = parts[0], let high = parts.last ?? nil, low <= high,
            low >= 100, high <= 599
        else {
            bad(key, value, expected: "an HTTP status or range like 200-399")
            return nil
        }
        return low...high
    }
}
