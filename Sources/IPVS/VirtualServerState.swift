/// A virtual server as the kernel reports it: configuration, statistics and its real servers.
public struct VirtualServerState: Sendable, Hashable {
    /// Its configuration.
    public var server: VirtualServer
    /// Counters and rates.
    public var statistics: Statistics
    /// Its real servers, in the kernel's order.
    public var realServers: [RealServerState]

    /// A reported virtual server.
    public init(server: VirtualServer, statistics: Statistics = Statistics(), realServers: [RealServerState] = []) {
        self.server = server
        self.statistics = statistics
        self.realServers = realServers
    }
}
