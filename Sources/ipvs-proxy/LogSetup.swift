import Values
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Sets up logging once per process.
enum LogSetup {
    private static let bootstrapped = Locked(false)

    /// Structured logs (key=value metadata) on standard error at `level`; returns the root logger.
    static func bootstrap(level: Logger.Level, label: String) -> Logger {
        bootstrapped.withLock { done in
            guard !done else { return }
            pinTimeZone()
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

    /// Names the time zone file in `TZ` when it is unset. Each log line's timestamp goes through `strftime`, which
    /// calls `tzset`; with `TZ` unset glibc then looks at `/etc/localtime` again (a `stat` through its symbolic link)
    /// for every line, and with `TZ` set and unchanged it does not. The zone is read once, at the first line: a
    /// change of `/etc/localtime` reaches the logs at the next start (as `TZ` set by the operator does now).
    private static func pinTimeZone() {
        #if canImport(Glibc)
            if getenv("TZ") == nil { setenv("TZ", ":/etc/localtime", 0) }
        #endif
    }
}
