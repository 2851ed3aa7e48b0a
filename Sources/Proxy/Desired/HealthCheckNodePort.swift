import Kube
import Values

/// What the health-check node port of one Service answers: kube-proxy's `ServiceHealthServer` input
/// (`pkg/proxy/healthcheck/service_health.go`), for a Service of type LoadBalancer with
/// `externalTrafficPolicy: Local` and a `healthCheckNodePort` (`NeedsHealthCheck`). Pure.
///
/// kube-proxy runs one proxier per family, each with its own server on that family's wildcard address, answering
/// with that family's count; so there is one count per family the Service has.
public struct HealthCheckNodePort: Sendable, Hashable {
    /// The port (`spec.healthCheckNodePort`).
    public var port: UInt16
    /// For each of the Service's families: how many distinct addresses of ready endpoints this node holds
    /// (`LocalReadyEndpoints`: terminating endpoints do not count, so a draining node fails the check).
    public var localEndpoints: [AddressFamily: Int]

    /// A health-check node port.
    public init(port: UInt16, localEndpoints: [AddressFamily: Int]) {
        self.port = port
        self.localEndpoints = localEndpoints
    }

    /// The health-check node port `service` needs on node `nodeName`, given its slices and its families; nil when
    /// it needs none.
    static func of(
        _ service: ValidatedService, slices: some Collection<ValidatedEndpointSlice>,
        families: Set<AddressFamily>, nodeName: String
    ) -> HealthCheckNodePort? {
        guard service.type == .loadBalancer, service.externalTrafficPolicy == .local,
            let port = service.healthCheckNodePort, port != 0, !families.isEmpty
        else { return nil }
        var local: [AddressFamily: Set<IPAddress>] = [:]
        for family in families { local[family] = [] }
        for slice in slices where !slice.ports.isEmpty {
            for endpoint in slice.endpoints
            where endpoint.ready && !nodeName.isEmpty && endpoint.nodeName == nodeName {
                guard local[endpoint.address.family] != nil else { continue }
                local[endpoint.address.family]?.insert(endpoint.address)
            }
        }
        return HealthCheckNodePort(port: port, localEndpoints: local.mapValues(\.count))
    }
}
