import Kube
import Logging
import ServiceLifecycle

/// Ends the proxy when its config file changes, as kube-proxy does (its DaemonSet then starts it again with the new
/// file): one log line, then a graceful shutdown of the group, so the process exits 0. Stops quietly when the
/// group shuts down first.
struct ConfigFileService: ServiceLifecycle.Service {
    let watch: FileChangeWatch
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await watch.changed() }
        } catch is CancellationError {
            return
        }
        logger.notice(
            "the config file changed: exiting so that it is read again (as kube-proxy does)",
            metadata: ["config": "\(watch.path)"])
    }
}
