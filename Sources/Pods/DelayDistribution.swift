import Foundation

/// How long a pod waits before answering each HTTP request: a distribution that each request samples.
///
/// Written on the command line (and in state files) as:
/// - `0` or `none`: answer at once;
/// - `50ms` or `const:50ms`: always this long;
/// - `exp:50ms`: exponential with this mean (memoryless service times);
/// - `lognormal:20ms:0.8`: log-normal with this median and this sigma (the σ of the underlying normal);
/// - `pareto:10ms:1.5`: Pareto with this minimum and this shape α (heavy-tailed; α ≤ 2 has infinite variance).
///
/// Samples are clamped to ``maximumSample`` so that a heavy tail cannot hang a connection for hours.
public enum DelayDistribution: Sendable, Hashable {
    /// No delay.
    case none
    /// The same delay for every request.
    case constant(Duration)
    /// Exponentially distributed delays with this mean.
    case exponential(mean: Duration)
    /// Log-normally distributed delays: `median · e^(sigma · Z)` with `Z` standard normal.
    case logNormal(median: Duration, sigma: Double)
    /// Pareto distributed delays: `minimum / U^(1/shape)` with `U` uniform in (0, 1].
    case pareto(minimum: Duration, shape: Double)

    /// The longest delay any sample can give.
    public static let maximumSample: Duration = .seconds(60)

    /// The distribution's mean, when it is finite (`nil` for a Pareto with shape ≤ 1), ignoring the clamp.
    public var mean: Duration? {
        switch self {
        case .none: return .zero
        case .constant(let delay): return delay
        case .exponential(let mean): return mean
        case .logNormal(let median, let sigma): return median.scaled(by: exp(sigma * sigma / 2))
        case .pareto(let minimum, let shape): return shape > 1 ? minimum.scaled(by: shape / (shape - 1)) : nil
        }
    }

    /// Draws one delay.
    public func sample<Generator: RandomNumberGenerator>(using generator: inout Generator) -> Duration {
        let seconds: Double
        switch self {
        case .none: return .zero
        case .constant(let delay): return min(delay, Self.maximumSample)
        case .exponential(let mean):
            seconds = -mean.secondsAsDouble * log(Self.uniformOpenAtZero(using: &generator))
        case .logNormal(let median, let sigma):
            seconds = median.secondsAsDouble * exp(sigma * Self.standardNormal(using: &generator))
        case .pareto(let minimum, let shape):
            seconds = minimum.secondsAsDouble / pow(Self.uniformOpenAtZero(using: &generator), 1 / shape)
        }
        return Duration.clampedSeconds(seconds, maximum: Self.maximumSample)
    }

    /// A uniform number in (0, 1]: never 0, so its logarithm and its inverse powers stay finite.
    private static func uniformOpenAtZero<Generator: RandomNumberGenerator>(using generator: inout Generator)
        -> Double
    {
        1 - Double.random(in: 0..<1, using: &generator)
    }

    /// A standard normal number (Box-Muller).
    private static func standardNormal<Generator: RandomNumberGenerator>(using generator: inout Generator)
        -> Double
    {
        let radius = (-2 * log(uniformOpenAtZero(using: &generator))).squareRoot()
        return radius * cos(2 * Double.pi * Double.random(in: 0..<1, using: &generator))
    }
}
