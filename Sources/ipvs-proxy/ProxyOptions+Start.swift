import ArgumentParser
import Logging
import Settings

extension ProxyOptions {
    /// The settings (flags, environment, file) and the bootstrapped logger a command starts with; a bad setting
    /// ends `command` with one line naming it.
    func start(_ command: String, extraFlags: [String: String?] = [:]) throws -> (ProxySettings, Logger) {
        let settings: ProxySettings
        do {
            settings = try self.settings(extraFlags: extraFlags)
        } catch {
            throw ExitCode(ProxyWiring.exitCode(for: error, command: command))
        }
        let logger = LogSetup.bootstrap(level: settings.level, label: "ipvs-proxy")
        for note in settings.notes { logger.notice("\(note)") }
        for warning in settings.warnings { logger.warning("\(warning)") }
        return (settings, logger)
    }
}
