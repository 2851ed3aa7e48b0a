import Logging
import Synchronization

/// A log handler that keeps every record (level, message, metadata), so a test can count what an operator would
/// read.
final class LogLines: Sendable {
    struct Record: Sendable, CustomStringConvertible {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]

        var description: String {
            "\(level) \(message) \(metadata.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " "))"
        }
    }

    private let records = Mutex<[Record]>([])

    /// Everything logged so far.
    var all: [Record] { records.withLock { $0 } }

    /// The records at `level` or above.
    func atLeast(_ level: Logger.Level) -> [Record] { all.filter { $0.level >= level } }

    /// A logger writing here, at `level` and above.
    func logger(level: Logger.Level = .debug) -> Logger {
        var logger = Logger(label: "proxy-test") { _ in Handler(lines: self) }
        logger.logLevel = level
        return logger
    }

    struct Handler: LogHandler {
        let lines: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let record = Record(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" })
            lines.records.withLock { $0.append(record) }
        }
    }
}
