import IPVS

/// A virtual server as ``ActualState`` keeps it: what plans are made against (its configuration, its real servers
/// and their connection counts), without the kernel's counters and rates. Those are read fresh wherever they are
/// shown (the traffic metrics, `status`); kept here, they were 80 bytes of every real server (8 MB at 100,000).
public struct KnownVirtualServer: Sendable, Hashable {
    /// Its configuration.
    public var server: VirtualServer
    /// Its real servers, in the kernel's order.
    public var realServers: [KnownRealServer]

    /// A virtual server and its real servers.
    public init(server: VirtualServer, realServers: [KnownRealServer] = []) {
        self.server = server
        self.realServers = realServers
    }

    /// What the kernel reported, less its statistics.
    public init(_ state: VirtualServerState) {
        self.init(server: state.server, realServers: state.realServers.map(KnownRealServer.init))
    }
}

/// A real server as ``ActualState`` keeps it: its configuration and connection counts (which graceful termination
/// reads), without the kernel's counters and rates.
public struct KnownRealServer: Sendable, Hashable {
    /// Its configuration.
    public var server: RealServer
    /// Established connections (ipvsadm's ActiveConn).
    public var activeConnections: UInt32
    /// Other connections (ipvsadm's InActConn).
    public var inactiveConnections: UInt32
    /// Persistence templates pointing at it.
    public var persistentConnections: UInt32

    /// A real server with its connection counts (none by default: one just added).
    public init(
        server: RealServer, activeConnections: UInt32 = 0, inactiveConnections: UInt32 = 0,
        persistentConnections: UInt32 = 0
    ) {
        self.server = server
        self.activeConnections = activeConnections
        self.inactiveConnections = inactiveConnections
        self.persistentConnections = persistentConnections
    }

    /// What the kernel reported, less its statistics.
    public init(_ state: RealServerState) {
        self.init(
            server: state.server, activeConnections: state.activeConnections,
            inactiveConnections: state.inactiveConnections, persistentConnections: state.persistentConnections)
    }
}
