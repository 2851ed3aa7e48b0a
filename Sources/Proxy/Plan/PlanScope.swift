import Values
import IPVS

/// What a planning pass looks at: everything (start-up and periodic resync), or only what an event touched, so
/// that the work per event is proportional to the change rather than to the cluster.
public enum PlanScope: Sendable, Hashable {
    /// Every virtual server and address, desired or in the kernel.
    case all
    /// Only these virtual servers and these addresses.
    case only(virtualServers: Set<VirtualServerKey>, addresses: Set<IPAddress>)
}
