import Foundation

/// A one-line progress display for a terminal: `[3/9] wlc  [#######.......]  4.1/8s  1234 ok  0 err`,
/// redrawn in place on standard error.
public struct ProgressBar: Sendable {
    /// Whether standard error is a terminal (otherwise nothing is drawn).
    public let enabled: Bool

    /// A progress bar, drawn only if standard error is a terminal.
    public init() {
        enabled = isatty(STDERR_FILENO) == 1
    }

    /// The line for a progress state.
    public static func line(_ progress: BenchProgress, width: Int = 24) -> String {
        let filled = Int((progress.fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let phase = progress.phase.padding(toLength: 7, withPad: " ", startingAt: 0)
        return "[\(progress.step)/\(progress.steps)] \(phase) [\(bar)] "
            + "\(BenchFormat.number(min(progress.elapsed, progress.total), digits: 1))/"
            + "\(BenchFormat.number(progress.total, digits: 1))s  \(progress.answered) ok  \(progress.failed) err"
    }

    /// Draws a progress state over the previous one.
    public func draw(_ progress: BenchProgress) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + Self.line(progress)).utf8))
    }

    /// Clears the line.
    public func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
