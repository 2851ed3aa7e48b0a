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

    /// The five counters ``fold(_:ports:)`` compares, of one virtual server: half of the kernel's `Statistics`
    /// (its rates are not kept), as ``last`` holds one for every virtual server a Service port serves.
    private struct Totals: Sendable {
        var connections: UInt64 = 0
        var inPackets: UInt64 = 0
        var outPackets: UInt64 = 0
        var inBytes: UInt64 = 0
        var outBytes: UInt64 = 0

        init() {}

        init(_ statistics: Statistics) {
            connections = statistics.connections
            inPackets = statistics.inPackets
            outPackets = statistics.outPackets
            inBytes = statistics.inBytes
            outBytes = statistics.outBytes
        }
    }

    private var last: [VirtualServerKey: Totals] = [:]

    /// No dump seen yet.
    public init() {}

    /// For each Service port with a virtual server in `table`: the counters' growth since the last dump (in the
    /// counter fields) and the connection gauges now. Virtual servers no Service port serves are left out.
    public mutating func update(
        _ table: [VirtualServerState], ports: [VirtualServerKey: ServiceMap.ServicePort]
    ) -> [ServiceMap.ServicePort: Counts] {
        let (result, seen) = fold(table, ports: ports)
        last = seen
        return result
    }

    /// ``update(_:ports:)`` for a part of the table: `read` holds those of the virtual servers `keys` that the
    /// kernel has (one read of exactly these keys). Only they are compared; one of `keys` the kernel no longer has
    /// is forgotten. For the gauges to be whole, `keys` holds every virtual server of each Service port it touches.
    public mutating func update(
        part read: [VirtualServerState], of keys: [VirtualServerKey], ports: [VirtualServerKey: ServiceMap.ServicePort]
    ) -> [ServiceMap.ServicePort: Counts] {
        let (result, seen) = fold(read, ports: ports)
        for key in keys { last[key] = seen[key] }
        return result
    }

    /// Folds `table` into counts by Service port, against the statistics ``last`` holds; also returns the
    /// statistics it saw, of the virtual servers a Service port serves.
    private func fold(
        _ table: [VirtualServerState], ports: [VirtualServerKey: ServiceMap.ServicePort]
    ) -> ([ServiceMap.ServicePort: Counts], [VirtualServerKey: Totals]) {
        var result: [ServiceMap.ServicePort: Counts] = [:]
        var seen: [VirtualServerKey: Totals] = [:]
        for state in table {
            let key = state.server.key
            guard let port = ports[key] else { continue }
            let now = Totals(state.statistics)
            seen[key] = now
            let before = last[key] ?? Totals()
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
        return (result, seen)
    }
}
