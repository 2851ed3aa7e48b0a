import Health
import IPVS

/// How one Service's real servers are health-checked, once its annotations are applied to the defaults.
public struct ServiceHealthCheck: Sendable, Hashable {
    /// The probe of TCP ports' real servers; nil: not probed.
    public var tcp: HealthProbe?
    /// The probe of UDP ports' real servers; nil: not probed.
    public var udp: HealthProbe?
    /// What happens to an unhealthy real server.
    public var action: HealthCheckConfiguration.Action
    /// What happens when all real servers of a virtual server are unhealthy.
    public var allDown: HealthCheckConfiguration.AllDownPolicy

    /// A Service's health check.
    public init(
        tcp: HealthProbe?,
        udp: HealthProbe?,
        action: HealthCheckConfiguration.Action = .remove,
        allDown: HealthCheckConfiguration.AllDownPolicy = .keep
    ) {
        self.tcp = tcp
        self.udp = udp
        self.action = action
        self.allDown = allDown
    }

    /// The probe for real servers of a virtual server of this protocol (SCTP is never probed).
    public func probe(for proto: IPVSProtocol) -> HealthProbe? {
        switch proto {
        case .tcp: tcp
        case .udp: udp
        case .sctp: nil
        }
    }
}
