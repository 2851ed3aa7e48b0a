import Values

extension DelayDistribution: CustomStringConvertible, LosslessStringConvertible, Codable {
    /// Parses the command-line form (see ``DelayDistribution``), e.g. `exp:50ms`; `nil` if it does not parse.
    public init?(_ description: String) {
        guard let parsed = try? Self(parsing: description) else { return nil }
        self = parsed
    }

    /// Parses the command-line form (see ``DelayDistribution``), e.g. `exp:50ms`, saying what is wrong if it
    /// does not parse.
    public init(parsing text: String) throws(PodsError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch (parts.first ?? "", parts.count) {
        case ("none", 1): self = .none
        case (_, 1): self = Self.constantOrNone(try Self.duration(text))
        case ("const", 2), ("constant", 2): self = Self.constantOrNone(try Self.duration(parts[1]))
        case ("exp", 2), ("exponential", 2): self = .exponential(mean: try Self.duration(parts[1]))
        case ("lognormal", 3):
            self = .logNormal(
                median: try Self.duration(parts[1]), sigma: try Self.parameter(parts[2], of: text, minimum: 0))
        case ("pareto", 3):
            let shape = try Self.parameter(parts[2], of: text, minimum: 0)
            guard shape > 0 else { throw PodsError(.invalidArgument, "a Pareto shape must be above 0: '\(text)'") }
            self = .pareto(minimum: try Self.duration(parts[1]), shape: shape)
        default:
            throw PodsError(
                .invalidArgument,
                "not a delay: '\(text)' (expected 50ms, const:50ms, exp:50ms, lognormal:20ms:0.8 or pareto:10ms:1.5)"
            )
        }
    }

    /// The command-line form, which ``init(parsing:)`` reads back to the same value.
    public var description: String {
        switch self {
        case .none: return "none"
        case .constant(let delay): return GoDuration.format(delay)
        case .exponential(let mean): return "exp:\(GoDuration.format(mean))"
        case .logNormal(let median, let sigma): return "lognormal:\(GoDuration.format(median)):\(sigma)"
        case .pareto(let minimum, let shape): return "pareto:\(GoDuration.format(minimum)):\(shape)"
        }
    }

    /// Decodes the command-line form from a string.
    public init(from decoder: any Decoder) throws {
        self = try Self(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the command-line form as a string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// A delay's duration, in the project's one syntax (Go's: `50ms`, `1.5s`, `250us`; a bare `0` is zero).
    private static func duration(_ text: String) throws(PodsError) -> Duration {
        guard let duration = GoDuration.parse(text) else {
            throw PodsError(
                .invalidArgument, "not a duration: '\(text)' (expected a number and a unit: ns, us, ms, s, m or h, e.g. 50ms)")
        }
        return duration
    }

    private static func constantOrNone(_ delay: Duration) -> DelayDistribution {
        delay == .zero ? .none : .constant(delay)
    }

    private static func parameter(_ text: String, of whole: String, minimum: Double) throws(PodsError) -> Double {
        guard let value = Double(text), value.isFinite, value >= minimum else {
            throw PodsError(.invalidArgument, "not a valid parameter '\(text)' in delay '\(whole)'")
        }
        return value
    }
}
