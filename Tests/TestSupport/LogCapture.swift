import Values
import Logging

/// A log handler that keeps what is logged (message, merged metadata) so tests can check what an operator
/// would see, and streams each record to one waiting reader.
public final class LogCapture: Sendable {
    public struct Record: Sendable, CustomStringConvertible {
        public let level: Logger.Level
        public let message: String
        public let metadata: [String: String]
        public var description: String {
            "\(level) \(message) \(metadata.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " "))"
        }
    }

    private let log = Locked<[Record]>([])
    public let stream: AsyncStream<Record>
    private let continuation: AsyncStream<Record>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Record.self)
    }

    public var records: [Record] { log.withLock { $0 } }

    /// The records at `level` or above.
    public func atLeast(_ level: Logger.Level) -> [Record] { records.filter { $0.level >= level } }

    func append(_ record: Record) {
        log.withLock { $0.append(record) }
        continuation.yield(record)
    }

    /// A logger writing here, at `level` and above.
    public func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "kube-test") { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append(
                Record(
                    level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}
