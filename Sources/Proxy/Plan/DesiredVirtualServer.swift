import IPVS

/// One virtual server as the cluster wants it: its configuration and its real servers.
public struct DesiredVirtualServer: Sendable, Hashable {
    /// Scheduler, flags and persistence, under the key that identifies it.
    public var server: VirtualServer
    /// The real servers, by address and port.
    public var realServers: RealServerTable
    /// How it is reached: what masquerading decides on. Not part of the kernel's virtual server.
    public var role: VirtualServerRole
    /// For a load-balancer IP whose Service sets `loadBalancerSourceRanges`: the clients it admits (enforced in
    /// the proxy's nftables table); nil admits everyone. Not part of the kernel's virtual server.
    public var sourceRanges: SourceRanges?
    /// The Service's `healthCheckNodePort` when it needs one (type LoadBalancer, `externalTrafficPolicy: Local`):
    /// that port stays reachable on the VIPs, as kube-proxy's KUBE-IPVS-FILTER lets it through.
    public var healthCheckNodePort: UInt16?

    /// A desired virtual server with the given real servers.
    public init(server: VirtualServer, realServers: [RealServer] = [], role: VirtualServerRole = .clusterIP) {
        self.server = server
        self.role = role
        self.realServers = RealServerTable(realServers)
    }

    /// The key that identifies it in the kernel.
    public var key: VirtualServerKey { server.key }
}
