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
    /// server's changes are gathered by endpoint and merged into its sorted table once, at the end (a Service of
    /// 30,000 endpoints emptied in one pass is 30,000 steps, not 30,000²).
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
                guard virtualServers[key] != nil else { continue }
                edits[key, default: RealServerEdits()].add(real)
            case .updateRealServer(let real, let key):
                guard let known = virtualServers[key]?.realServers else { continue }
                edits[key, default: RealServerEdits()].update(real, in: known)
            case .deleteRealServer(let endpoint, let key):
                guard virtualServers[key] != nil else { continue }
                edits[key, default: RealServerEdits()].delete(endpoint)
            }
        }
        for (key, edit) in edits {
            guard let known = virtualServers[key] else { continue }
            if !known.drainingConnections.isEmpty {
                for endpoint in edit.renewed { virtualServers[key]?.drainingConnections[endpoint] = nil }
            }
            virtualServers[key]?.replaceRealServers(with: known.realServers.merging(edit.sortedChanges))
        }
    }

    /// Makes each virtual server of `keys` whose real servers are exactly the desired ones hold the desired table
    /// itself, not an equal copy: one copy of the real servers between the desired and the actual state (at 10,000
    /// Services x 10 endpoints, 5 MB less). Called after each pass over the keys it planned; a table already shared
    /// is left as it is.
    public mutating func share(_ desired: DesiredState, in keys: some Sequence<VirtualServerKey>) {
        for key in keys {
            guard let table = desired.virtualServers[key]?.realServers, let known = virtualServers[key]?.realServers,
                !known.sharesStorage(with: table), known == table
            else { continue }
            virtualServers[key]?.realServers = table
        }
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

/// One virtual server's real-server operations during `ActualState.record(_:)`, by endpoint: the last change to
/// each endpoint is the one that holds. Adds alone (a first sync) are kept in order, with no index: one is made on
/// the first update or delete.
private struct RealServerEdits {
    private enum Change {
        case added(RealServer)
        case updated(RealServer)
        case deleted
    }

    private var added: [RealServer] = []
    private var changes: [RealServerEndpoint: Change]?

    mutating func add(_ real: RealServer) {
        if changes == nil {
            added.append(real)
        } else {
            changes?[real.endpoint] = .added(real)
        }
    }

    /// Records an update of a real server present at this point: added before in the batch, or in `table` and not
    /// deleted since.
    mutating func update(_ real: RealServer, in table: RealServerTable) {
        makeIndex()
        switch changes?[real.endpoint] {
        case .added: changes?[real.endpoint] = .added(real)
        case .updated: changes?[real.endpoint] = .updated(real)
        case .deleted: break
        case nil: if table[real.endpoint] != nil { changes?[real.endpoint] = .updated(real) }
        }
    }

    mutating func delete(_ endpoint: RealServerEndpoint) {
        makeIndex()
        changes?[endpoint] = .deleted
    }

    private mutating func makeIndex() {
        guard changes == nil else { return }
        var index: [RealServerEndpoint: Change] = [:]
        index.reserveCapacity(added.count)
        for real in added { index[real.endpoint] = .added(real) }
        changes = index
        added = []
    }

    /// The endpoints added or deleted: the connection counts known for them no longer hold.
    var renewed: [RealServerEndpoint] {
        guard let changes else { return added.map(\.endpoint) }
        return changes.compactMap { if case .updated = $0.value { nil } else { $0.key } }
    }

    /// The changes for ``RealServerTable/merging(_:)``: sorted by endpoint, one per endpoint, nil for a deletion.
    var sortedChanges: [(RealServerEndpoint, RealServer?)] {
        guard let changes else {
            // The planner adds in endpoint order: then nothing is sorted.
            if zip(added, added.dropFirst()).allSatisfy({ $0.endpoint < $1.endpoint }) {
                return added.map { ($0.endpoint, $0) }
            }
            // The table's own sort, which keeps the first of two at one endpoint: reversed, the last added holds.
            return RealServerTable(added.reversed()).map { ($0.endpoint, $0) }
        }
        return changes.map { endpoint, change in
            switch change {
            case .added(let real), .updated(let real): (endpoint, real)
            case .deleted: (endpoint, nil)
            }
        }.sorted { $0.0 < $1.0 }
    }
}
