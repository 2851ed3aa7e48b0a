import IPVS

/// Per-Service traffic from the kernel's IPVS statistics, summed over each Service port's virtual servers (cluster
/// IP, external and load-balancer IPs, node ports, both families). Pure: fed one dump at a time, it says how much
/// each counter grew since the last dump and what the connection gauges are now. A virtual server seen for the
/// first time, or whose counters went down (deleted and made again), adds what it holds.
public struct ServiceTraffic: Sendable {
    /// Counters and gauges of one Service port.
    public struct Counts: Sendable, Hashable {
        /// Connections scheduled.
        public var connections: UInt64 = 0
        /// Packets and bytes in (towards the real servers) and out.
        public var inPackets: UInt64 = 0
        public var outPackets: UInt64 = 0
        public var inBytes: UInt64 = 0
        public var outBytes: UInt64 = 0
        /// Established and other connections now, summed over the real servers (ipvsadm's ActiveConn, InActConn).
        public var activeConnections: UInt64 = 0
        public var inactiveConnections: UInt64 = 0

        /// All zeros.
        public init() {}
    }

    private var last: [VirtualServerKey: Statistics] = [:]

    /// No dump seen yet.
    public init() {}

    /// For each Service port with a virtual server in `table`: the counters' growth since the last dump (in the
    /// counter fields) and the connection gauges now. Virtual servers no Service port serves are left out.
    public mutating func update(
        _ table: [VirtualServerState], ports: [VirtualServerKey: ServiceMap.ServicePort]
    ) -> [ServiceMap.ServicePort: Counts] {
        var result: [ServiceMap.ServicePort: Counts] = [:]
        var seen: [VirtualServerKey: Statistics] = [:]
        for state in table {
            let key = state.server.key
            guard let port = ports[key] else { continue }
            let now = state.statistics
            seen[key] = now
            let before = last[key] ?? Statistics()
            let grew = { (new: UInt64, old: UInt64) in new >= old ? new - old : new }
            var counts = result[port] ?? Counts()
            counts.connections += grew(now.connections, before.connections)
            counts.inPackets += grew(now.inPackets, before.inPackets)
            counts.outPackets += grew(now.outPackets, before.outPackets)
            counts.inBytes += grew(now.inBytes, before.inBytes)
            counts.outBytes += grew(now.outBytes, before.outBytes)
            for real in state.realServers {
                counts.activeConnections += UInt64(real.activeConnections)
                counts.inactiveConnections += UInt64(real.inactiveConnections)
            }
            result[port] = counts
        }
        last = seen
        return result
    }
}
