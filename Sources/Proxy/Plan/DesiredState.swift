import Values
import IPVS

/// Everything the proxy wants in the kernel: virtual servers with their real servers, and the addresses its
/// dummy link must hold. A pure value computed from the cluster view; the planner diffs it against the kernel.
public struct DesiredState: Sendable, Hashable {
    /// The virtual servers, by key.
    public var virtualServers: [VirtualServerKey: DesiredVirtualServer]
    /// The addresses that must be bound on the dummy link (cluster IPs, and external or load-balancer IPs not
    /// already on another interface).
    public var boundAddresses: Set<IPAddress>

    /// A desired state.
    public init(virtualServers: [DesiredVirtualServer] = [], boundAddresses: Set<IPAddress> = []) {
        self.virtualServers = Dictionary(
            virtualServers.map { ($0.key, $0) },
            uniquingKeysWith: { first, _ in first }
        )
        self.boundAddresses = boundAddresses
    }
}
