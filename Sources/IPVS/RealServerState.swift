/// A real server as the kernel reports it: configuration, connection counts and statistics.
public struct RealServerState: Sendable, Hashable {
    /// Its configuration.
    public var server: RealServer
    /// Established connections (ipvsadm's ActiveConn).
    public var activeConnections: UInt32
    /// Other connections (ipvsadm's InActConn).
    public var inactiveConnections: UInt32
    /// Persistence templates pointing at it.
    public var persistentConnections: UInt32
    /// Counters and rates.
    public var statistics: Statistics

    /// A reported real server.
    public init(
        server: RealServer,
        activeConnections: UInt32 = 0,
        inactiveConnections: UInt32 = 0,
        persistentConnections: UInt32 = 0,
        statistics: Statistics = Statistics()
    ) {
        self.server = server
        self.activeConnections = activeConnections
        self.inactiveConnections = inactiveConnections
        self.persistentConnections = persistentConnections
        self.statistics = statistics
    }
}
