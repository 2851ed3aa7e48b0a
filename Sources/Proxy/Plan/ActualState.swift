import Values
import IPVS

/// What the proxy believes the kernel holds: read once at start (adoption, no flush), then kept up to date from
/// the operations that succeeded, and re-read now and then to catch changes made behind its back.
public struct ActualState: Sendable, Hashable {
    /// The virtual servers in the kernel, with their real servers (without their statistics).
    public private(set) var virtualServers: [VirtualServerKey: KnownVirtualServer]
    /// The addresses on the proxy's dummy link.
    public private(set) var linkAddresses: Set<IPAddress>

    /// The state as read from the kernel.
    public init(virtualServers: [VirtualServerState] = [], linkAddresses: Set<IPAddress> = []) {
        self.virtualServers = Dictionary(
            virtualServers.map { ($0.server.key, KnownVirtualServer($0)) },
            uniquingKeysWith: { first, _ in first }
        )
        self.linkAddresses = linkAddresses
    }

    /// Records an operation the kernel accepted.
    public mutating func record(_ operation: IPVSOperation) {
        record([operation])
    }

    /// Records operations the kernel accepted, in order. Costs in proportion to the operations and to the real
    /// servers of the virtual servers they touch, not to the operations times those real servers: each virtual
    /// server's real servers are indexed once by endpoint, and those deleted are dropped in one sweep at the end
    /// (a Service of 30,000 endpoints emptied in one pass is 30,000 steps, not 30,000²). The order of the
    /// remaining real servers is kept; a real server added is appended.
    public mutating func record(_ operations: some Sequence<IPVSOperation>) {
        var edits: [VirtualServerKey: RealServerEdits] = [:]
        for operation in operations {
            switch operation {
            case .addVirtualServer(let server):
                edits[server.key] = nil
                virtualServers[server.key] = KnownVirtualServer(server: server)
            case .updateVirtualServer(let server):
                virtualServers[server.key]?.server = server
            case .deleteVirtualServer(let key):
                edits[key] = nil
                virtualServers[key] = nil
            case .addRealServer(let real, let key):
                // Only the sizes are read out: a copy of the array held across the append would make it copy.
                let size = virtualServers[key].map { ($0.realServers.count, $0.realServers.capacity) }
                guard let (index, capacity) = size else { continue }
                if index == capacity {
                    // Grown by a quarter (at least 4), not doubled: a first sync adds each virtual server's real
                    // servers one by one, and doubling left a third of each array empty for good (10 real servers
                    // in 16 slots: 2 MB at 10,000 Services).
                    virtualServers[key]?.realServers.reserveCapacity(index + max(4, index / 4))
                }
                virtualServers[key]?.realServers.append(KnownRealServer(server: real))
                if edits[key] != nil { edits[key]?.added(real.endpoint, at: index) }
            case .updateRealServer(let real, let key):
                guard let index = index(of: real.endpoint, in: key, edits: &edits) else { continue }
                virtualServers[key]?.realServers[index].server = real
            case .deleteRealServer(let endpoint, let key):
                guard virtualServers[key] != nil else { continue }
                if edits[key] == nil { edits[key] = RealServerEdits(virtualServers[key]?.realServers ?? []) }
                edits[key]?.delete(endpoint)
            }
        }
        for (key, edit) in edits where !edit.deleted.isEmpty {
            guard let reals = virtualServers[key]?.realServers else { continue }
            virtualServers[key]?.realServers = reals.indices.compactMap { edit.deleted.contains($0) ? nil : reals[$0] }
        }
    }

    /// The index of the first live real server at `endpoint` in virtual server `key`, indexing it on first use.
    private func index(
        of endpoint: RealServerEndpoint, in key: VirtualServerKey, edits: inout [VirtualServerKey: RealServerEdits]
    ) -> Int? {
        guard let reals = virtualServers[key]?.realServers else { return nil }
        if edits[key] == nil { edits[key] = RealServerEdits(reals) }
        return edits[key]?.live[endpoint]?.first
    }

    /// Replaces one virtual server with what the kernel reports for it now (nil: it has none).
    public mutating func refresh(_ key: VirtualServerKey, with state: VirtualServerState?) {
        virtualServers[key] = state.map(KnownVirtualServer.init)
    }

    /// Replaces the link's addresses with those just read from the kernel.
    public mutating func relink(_ addresses: Set<IPAddress>) { linkAddresses = addresses }

    /// Records that an address was added to the dummy link.
    public mutating func bound(_ address: IPAddress) { linkAddresses.insert(address) }

    /// Records that an address was removed from the dummy link.
    public mutating func unbound(_ address: IPAddress) { linkAddresses.remove(address) }
}

/// One virtual server's real servers during `ActualState.record(_:)`: where each endpoint's entries are (in order;
/// normally one), and which entries are deleted (dropped at the end of the batch, so indices stay valid).
private struct RealServerEdits {
    var live: [RealServerEndpoint: [Int]] = [:]
    var deleted: Set<Int> = []

    init(_ reals: [KnownRealServer]) {
        live.reserveCapacity(reals.count)
        for (index, real) in reals.enumerated() { live[real.server.endpoint, default: []].append(index) }
    }

    mutating func added(_ endpoint: RealServerEndpoint, at index: Int) {
        live[endpoint, default: []].append(index)
    }

    /// Deletes every entry at `endpoint`, as `removeAll` did.
    mutating func delete(_ endpoint: RealServerEndpoint) {
        guard let indices = live.removeValue(forKey: endpoint) else { return }
        deleted.formUnion(indices)
    }
}
