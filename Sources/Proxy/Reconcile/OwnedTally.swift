import Values
import IPVS

/// How many virtual and real servers the proxy owns in the kernel (the `ipvs_proxy_virtual_servers` and
/// `ipvs_proxy_real_servers` gauges), kept up to date one virtual server at a time: a pass that touched a few
/// virtual servers recounts those, not the whole table.
///
/// A virtual server is owned by ``Ownership/owns(_:)``: in the record, or on the link's addresses and not found
/// held by another program. After adoption every virtual server the kernel holds is classified in the record, so
/// only the few that are in neither list (read afresh after appearing behind the proxy's back) depend on the link's
/// addresses; those are kept aside and recounted when an address comes or goes.
public struct OwnedTally: Sendable, Hashable {
    /// Virtual servers owned.
    public private(set) var virtualServers = 0
    /// Their real servers.
    public private(set) var realServers = 0
    /// The real-server count of each owned virtual server.
    private var counted: [VirtualServerKey: Int] = [:]
    /// Virtual servers in neither of the record's lists, whose ownership follows the link's addresses.
    private var unclassified: Set<VirtualServerKey> = []

    /// Nothing owned.
    public init() {}

    /// Counts everything `actual` holds that `ownership` says is the proxy's (adoption, a full pass).
    public init(actual: ActualState, ownership: Ownership) {
        update(actual.virtualServers.keys, addresses: [], actual: actual, ownership: ownership)
    }

    /// Recounts these virtual servers, and those whose ownership depends on one of these link addresses (added
    /// or removed).
    public mutating func update(
        _ keys: some Sequence<VirtualServerKey>, addresses: Set<IPAddress>, actual: ActualState, ownership: Ownership
    ) {
        for key in keys { recount(key, actual: actual, ownership: ownership) }
        guard !addresses.isEmpty else { return }
        for key in unclassified {
            guard case .service(_, let address, _) = key, addresses.contains(address) else { continue }
            recount(key, actual: actual, ownership: ownership)
        }
    }

    private mutating func recount(_ key: VirtualServerKey, actual: ActualState, ownership: Ownership) {
        let state = actual.virtualServers[key]
        let now = state != nil && ownership.owns(key) ? state?.realServers.count : nil
        let before = counted[key]
        if before != now {
            virtualServers += (now == nil ? 0 : 1) - (before == nil ? 0 : 1)
            realServers += (now ?? 0) - (before ?? 0)
            counted[key] = now
        }
        let record = ownership.record
        if state != nil, case .service = key, !ownership.excludes(key), !record.virtualServers.contains(key),
            !record.foreign.contains(key)
        {
            unclassified.insert(key)
        } else if !unclassified.isEmpty {
            unclassified.remove(key)
        }
    }
}
