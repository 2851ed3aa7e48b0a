import Values
import IPVS

/// What the proxy believes the kernel holds: read once at start (adoption, no flush), then kept up to date from
/// the operations that succeeded, and re-read now and then to catch changes made behind its back.
public struct ActualState: Sendable, Hashable {
    /// The virtual servers in the kernel, with their real servers.
    public private(set) var virtualServers: [VirtualServerKey: VirtualServerState]
    /// The addresses on the proxy's dummy link.
    public private(set) var linkAddresses: Set<IPAddress>

    /// The state as read from the kernel.
    public init(virtualServers: [VirtualServerState] = [], linkAddresses: Set<IPAddress> = []) {
        self.virtualServers = Dictionary(
            virtualServers.map { ($0.server.key, $0) },
            uniquingKeysWith: { first, _ in first }
        )
        self.linkAddresses = linkAddresses
    }

    /// Records an operation the kernel accepted.
    public mutating func record(_ operation: IPVSOperation) {
        switch operation {
        case .addVirtualServer(let server):
            virtualServers[server.key] = VirtualServerState(server: server)
        case .updateVirtualServer(let server):
            virtualServers[server.key]?.server = server
        case .deleteVirtualServer(let key):
            virtualServers[key] = nil
        case .addRealServer(let real, let key):
            virtualServers[key]?.realServers.append(RealServerState(server: real))
        case .updateRealServer(let real, let key):
            guard let index = virtualServers[key]?.realServers.firstIndex(where: { $0.server.endpoint == real.endpoint })
            else { return }
            virtualServers[key]?.realServers[index].server = real
        case .deleteRealServer(let endpoint, let key):
            virtualServers[key]?.realServers.removeAll { $0.server.endpoint == endpoint }
        }
    }

    /// Replaces one virtual server with what the kernel reports for it now (nil: it has none).
    public mutating func refresh(_ key: VirtualServerKey, with state: VirtualServerState?) {
        virtualServers[key] = state
    }

    /// Records that an address was added to the dummy link.
    public mutating func bound(_ address: IPAddress) { linkAddresses.insert(address) }

    /// Records that an address was removed from the dummy link.
    public mutating func unbound(_ address: IPAddress) { linkAddresses.remove(address) }
}
