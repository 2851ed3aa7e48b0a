import ArgumentParser

/// A duration on the command line: "30s", "500ms", "2m", "1h", or a bare number of seconds.
struct DurationArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var duration: Duration
    var text: String

    init?(argument: String) {
        let units: [(String, Duration)] = [("ms", .milliseconds(1)), ("s", .seconds(1)), ("m", .seconds(60)), ("h", .seconds(3600))]
        for (suffix, unit) in units where argument.hasSuffix(suffix) {
            guard let number = Double(argument.dropLast(suffix.count)), number >= 0 else { return nil }
            duration = unit * number
            text = argument
            return
        }
        guard let seconds = Double(argument), seconds >= 0 else { return nil }
        duration = .seconds(seconds)
        text = argument
    }

    init(_ text: String, _ duration: Duration) {
        self.text = text
        self.duration = duration
    }

    var description: String { text }
    var defaultValueDescription: String { text }
}
