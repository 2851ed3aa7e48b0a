import Kube
import Telemetry

/// Carries the loop's health-check node ports to the ``ServiceHealthServer`` (kube-proxy's `SyncServices` and
/// `SyncEndpoints` after each sync): only the Services whose port or counts changed, and, after every pass, a retry
/// of the ports that could not be bound.
public struct HealthCheckNodePortObserver: ReconcileObserver {
    let server: ServiceHealthServer

    /// An observer feeding `server`.
    public init(server: ServiceHealthServer) { self.server = server }

    public func observe(_ report: ReconcileReport) async {
        switch report {
        case .healthCheckNodePorts(let changes):
            var entries: [String: ServiceHealthServer.Entry?] = [:]
            for (key, port) in changes {
                // updateValue: a nil entry (the Service needs no port any more) must be kept, not erase the key.
                entries.updateValue(
                    port.map {
                        ServiceHealthServer.Entry(
                            namespace: key.namespace, name: key.name, port: Int($0.port),
                            localEndpoints: $0.localEndpoints)
                    }, forKey: key.description)
            }
            await server.update(entries)
        case .pass:
            await server.retryFailed()
        default:
            break
        }
    }
}
