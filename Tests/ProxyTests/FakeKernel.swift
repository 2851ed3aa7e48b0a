import Values
import IPVS
import Synchronization

@testable import Proxy

/// An in-memory IPVS table that behaves as the kernel does for the operations the proxy uses (EEXIST, ESRCH,
/// ENOENT), and can be told to refuse chosen operations.
final class FakeKernel: IPVSKernel {
    struct State {
        var table: [VirtualServerKey: VirtualServerState] = [:]
        var applied: [IPVSOperation] = []
        var refuse: Set<IPVSOperation> = []
    }
    let state = Mutex(State())

    init(_ servers: [VirtualServerState] = []) {
        state.withLock { $0.table = Dictionary(servers.map { ($0.server.key, $0) }, uniquingKeysWith: { a, _ in a }) }
    }

    var applied: [IPVSOperation] { state.withLock { $0.applied } }
    var table: [VirtualServerKey: VirtualServerState] { state.withLock { $0.table } }
    func refuse(_ operation: IPVSOperation) { state.withLock { _ = $0.refuse.insert(operation) } }
    func allow(_ operation: IPVSOperation) { state.withLock { _ = $0.refuse.remove(operation) } }

    func version() throws -> IPVSVersion { IPVSVersion(code: 0x010201, connectionTableSize: 4096) }
    func virtualServers() throws -> [VirtualServerState] { state.withLock { Array($0.table.values) } }
    func virtualServer(_ key: VirtualServerKey) throws -> VirtualServerState? { state.withLock { $0.table[key] } }
    func flush() throws { state.withLock { $0.table = [:] } }
    func timeouts() throws -> Timeouts { Timeouts(tcp: 900, tcpFin: 120, udp: 300) }
    func setTimeouts(_ timeouts: Timeouts) throws {}

    func apply(_ operations: [IPVSOperation]) -> [Result<Void, IPVSError>] {
        state.withLock { state in
            operations.map { operation in
                state.applied.append(operation)
                if state.refuse.contains(operation) { return .failure(Self.error(.invalidArgument, operation)) }
                return Self.apply(operation, to: &state.table)
            }
        }
    }

    static func error(_ code: IPVSError.Code, _ operation: IPVSOperation) -> IPVSError {
        IPVSError(code: code, message: "\(code)", object: operation.object)
    }

    static func apply(_ operation: IPVSOperation, to table: inout [VirtualServerKey: VirtualServerState])
        -> Result<Void, IPVSError>
    {
        switch operation {
        case .addVirtualServer(let server):
            guard table[server.key] == nil else { return .failure(error(.alreadyExists, operation)) }
            table[server.key] = VirtualServerState(server: server)
        case .updateVirtualServer(let server):
            guard table[server.key] != nil else { return .failure(error(.notFound, operation)) }
            table[server.key]?.server = server
        case .deleteVirtualServer(let key):
            guard table.removeValue(forKey: key) != nil else { return .failure(error(.notFound, operation)) }
        case .addRealServer(let real, let key):
            guard let reals = table[key]?.realServers else { return .failure(error(.notFound, operation)) }
            guard !reals.contains(where: { $0.server.endpoint == real.endpoint }) else {
                return .failure(error(.alreadyExists, operation))
            }
            table[key]?.realServers.append(RealServerState(server: real))
        case .updateRealServer(let real, let key):
            guard let index = table[key]?.realServers.firstIndex(where: { $0.server.endpoint == real.endpoint }) else {
                return .failure(error(.notFound, operation))
            }
            table[key]?.realServers[index].server = real
        case .deleteRealServer(let endpoint, let key):
            guard let index = table[key]?.realServers.firstIndex(where: { $0.server.endpoint == endpoint }) else {
                return .failure(error(.notFound, operation))
            }
            table[key]?.realServers.remove(at: index)
        }
        return .success(())
    }
}

/// An in-memory dummy link.
final class FakeLink: VIPLink {
    let state = Mutex((exists: false, addresses: Set<IPAddress>(), writes: 0))

    init(addresses: Set<IPAddress> = [], exists: Bool = true) {
        state.withLock { $0 = (exists, addresses, 0) }
    }

    var writes: Int { state.withLock { $0.writes } }
    var exists: Bool { state.withLock { $0.exists } }
    func ensure() throws { state.withLock { $0.exists = true } }
    func addresses() throws -> [IPAddress] { state.withLock { Array($0.addresses) } }
    func add(_ address: IPAddress) throws {
        state.withLock {
            $0.writes += 1
            $0.addresses.insert(address)
        }
    }
    func remove(_ address: IPAddress) throws {
        state.withLock {
            $0.writes += 1
            $0.addresses.remove(address)
        }
    }
}
