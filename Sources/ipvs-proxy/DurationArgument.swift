import ArgumentParser
import Values

/// A duration on the command line of the lab's commands, in the proxy's one syntax (Go's: "30s", "1m30s",
/// "500ms"), or a bare number of seconds.
struct DurationArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var duration: Duration
    var text: String

    init?(argument: String) {
        guard let duration = GoDuration.parse(argument, bareSeconds: true) else { return nil }
        self.duration = duration
        text = argument
    }

    init(_ text: String, _ duration: Duration) {
        self.text = text
        self.duration = duration
    }

    var description: String { text }
    var defaultValueDescription: String { text }
}
