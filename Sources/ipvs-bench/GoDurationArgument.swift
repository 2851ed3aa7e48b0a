import ArgumentParser
import Values

/// A duration on the command line, in the project's one syntax (Go's: "30s", "500ms", "1m30s"; a bare number is
/// seconds, as these commands' flags were first written).
struct GoDurationArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    /// The duration.
    var duration: Duration

    init?(argument: String) {
        guard let duration = GoDuration.parse(argument, bareSeconds: true) else { return nil }
        self.duration = duration
    }

    init(_ duration: Duration) {
        self.duration = duration
    }

    /// Go's form ("5s", "1m30s").
    var description: String { GoDuration.format(duration) }
    var defaultValueDescription: String { description }
}
