import IPVS

/// A virtual server as ``ActualState`` keeps it: what plans are made against (its configuration, its real servers,
/// and the connection counts graceful termination reads), without the kernel's counters and rates. Those are read
/// fresh wherever they are shown (the traffic metrics, `status`); kept here, they were 80 bytes of every real server
/// (8 MB at 100,000).
public struct KnownVirtualServer: Sendable, Hashable {
    /// Its configuration.
    public var server: VirtualServer
    /// Its real servers, by endpoint (the kernel holds at most one per endpoint). The same table type a desired
    /// virtual server holds, so that once the two are equal they share one copy (``ActualState/share(_:in:)``).
    public var realServers: RealServerTable
    /// The connection counts, as last read from the kernel, of the real servers that have any and whose weight is 0:
    /// the only ones graceful termination reads (a real server at weight 0 that is not wanted is deleted once it
    /// has none). Any other real server reads as none.
    public internal(set) var drainingConnections: [RealServerEndpoint: ConnectionCounts]

    /// A virtual server and its real servers, with no connections.
    public init(server: VirtualServer, realServers: RealServerTable = RealServerTable()) {
        self.server = server
        self.realServers = realServers
        self.drainingConnections = [:]
    }

    /// A virtual server and its real servers with their connection counts.
    public init(server: VirtualServer, realServers: [KnownRealServer]) {
        self.init(server: server, realServers: RealServerTable(realServers.map(\.server)))
        for real in realServers { keepCounts(of: real) }
    }

    /// What the kernel reported, less its statistics.
    public init(_ state: VirtualServerState) {
        self.init(server: state.server, realServers: state.realServers.map(KnownRealServer.init))
    }

    /// The real server at `endpoint` with its connection counts; nil when there is none.
    public subscript(endpoint: RealServerEndpoint) -> KnownRealServer? {
        realServers[endpoint].map { KnownRealServer(server: $0, drainingConnections[endpoint] ?? ConnectionCounts()) }
    }

    /// Replaces the real servers with `table` and keeps the counts of those still at weight 0 in it.
    mutating func replaceRealServers(with table: RealServerTable) {
        realServers = table
        guard !drainingConnections.isEmpty else { return }
        drainingConnections = drainingConnections.filter { table[$0.key]?.weight == 0 }
    }

    private mutating func keepCounts(of real: KnownRealServer) {
        let counts = real.connections
        guard real.server.weight == 0, counts != ConnectionCounts() else { return }
        drainingConnections[real.server.endpoint] = counts
    }
}

/// A real server's connection counts.
public struct ConnectionCounts: Sendable, Hashable {
    /// Established connections (ipvsadm's ActiveConn).
    public var active: UInt32
    /// Other connections (ipvsadm's InActConn).
    public var inactive: UInt32
    /// Persistence templates pointing at it.
    public var persistent: UInt32

    /// Counts; none by default.
    public init(active: UInt32 = 0, inactive: UInt32 = 0, persistent: UInt32 = 0) {
        self.active = active
        self.inactive = inactive
        self.persistent = persistent
    }
}

/// A real server with its connection counts (which graceful termination reads), without the kernel's counters and
/// rates.
public struct KnownRealServer: Sendable, Hashable {
    /// Its configuration.
    public var server: RealServer
    /// Its connection counts.
    public var connections: ConnectionCounts

    /// Established connections (ipvsadm's ActiveConn).
    public var activeConnections: UInt32 { connections.active }
    /// Other connections (ipvsadm's InActConn).
    public var inactiveConnections: UInt32 { connections.inactive }

    /// A real server with its connection counts (none by default: one just added).
    public init(server: RealServer, _ connections: ConnectionCounts = ConnectionCounts()) {
        self.server = server
        self.connections = connections
    }

    /// A real server with its connection counts.
    public init(
        server: RealServer, activeConnections: UInt32, inactiveConnections: UInt32 = 0,
        persistentConnections: UInt32 = 0
    ) {
        self.init(
            server: server,
            ConnectionCounts(
                active: activeConnections, inactive: inactiveConnections, persistent: persistentConnections))
    }

    /// What the kernel reported, less its statistics.
    public init(_ state: RealServerState) {
        self.init(
            server: state.server, activeConnections: state.activeConnections,
            inactiveConnections: state.inactiveConnections, persistentConnections: state.persistentConnections)
    }
}
