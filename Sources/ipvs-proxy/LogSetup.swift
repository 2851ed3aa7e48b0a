import Values
import Logging

/// Sets up logging once per process.
enum LogSetup {
    private static let bootstrapped = Locked(false)

    /// Structured logs (key=value metadata) on standard error at `level`; returns the root logger.
    static func bootstrap(level: Logger.Level, label: String) -> Logger {
        bootstrapped.withLock { done in
            guard !done else { return }
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            done = true
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}
