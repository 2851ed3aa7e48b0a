import Glibc
import IPVS
import Values

/// The tests' one IPVS kernel: an in-memory table that answers as the kernel does (EEXIST, ESRCH, ENOENT for an
/// unknown scheduler or a missing real server, ERANGE for a negative weight; the errors come from
/// `IPVSError.kernel(errno:operation:)`, as the netlink client's do). It lists virtual servers and real servers
/// newest first, as the kernel does; statistics stay zero. Tests can start it with servers, read what was applied,
/// and make it refuse chosen operations (EINVAL) until allowed again. IPVSErrorLabTests checks the same answers
/// against the real kernel.
public final class FakeKernel: IPVSKernel {
    private struct State {
        var table: [VirtualServerKey: VirtualServerState] = [:]
        var order: [VirtualServerKey] = []
        var journal: [(IPVSOperation, Result<Void, IPVSError>)] = []
        var refused: Set<IPVSOperation> = []
        var timeouts = IPVSTimeouts(tcp: 900, tcpFin: 120, udp: 300)
        var singleReads = 0
        var fullReads = 0
    }

    private let state = Locked(State())
    /// The schedulers it accepts (the kernel's known ones unless told otherwise).
    public let schedulers: Set<Scheduler>

    /// A kernel holding `servers` (the first listed first), accepting `schedulers`.
    public init(_ servers: [VirtualServerState] = [], schedulers: Set<Scheduler> = Set(Scheduler.known)) {
        self.schedulers = schedulers
        state.withLock { state in
            for server in servers where state.table[server.server.key] == nil {
                state.table[server.server.key] = server
                state.order.append(server.server.key)
            }
        }
    }

    /// The table now, by key.
    public var table: [VirtualServerKey: VirtualServerState] { state.withLock { $0.table } }
    /// Every operation applied, in order (refused and failed ones included).
    public var applied: [IPVSOperation] { state.withLock { $0.journal.map(\.0) } }
    /// Every operation applied, in order, with its result.
    public var journal: [(IPVSOperation, Result<Void, IPVSError>)] { state.withLock { $0.journal } }

    /// From now on, `operation` fails with EINVAL (as the kernel refuses an object it finds invalid).
    public func refuse(_ operation: IPVSOperation) { state.withLock { _ = $0.refused.insert(operation) } }
    /// `operation` is applied again.
    public func allow(_ operation: IPVSOperation) { state.withLock { _ = $0.refused.remove(operation) } }

    public func version() throws -> IPVSVersion { IPVSVersion(code: 0x010201, connectionTableSize: 4096) }

    public func virtualServers() throws -> [VirtualServerState] {
        state.withLock { state in
            state.fullReads += 1
            return state.order.compactMap { state.table[$0] }
        }
    }

    public func virtualServer(_ key: VirtualServerKey) throws -> VirtualServerState? {
        state.withLock { state in
            state.singleReads += 1
            return state.table[key]
        }
    }

    /// How many times the whole table was read (`virtualServers()`).
    public var fullReads: Int { state.withLock { $0.fullReads } }

    /// How many times one virtual server was read (`virtualServer(_:)`).
    public var singleReads: Int { state.withLock { $0.singleReads } }

    /// Sets the connection counts of a real server the table holds (as clients would make them).
    public func setConnections(
        _ endpoint: RealServerEndpoint, of key: VirtualServerKey, active: UInt32, inactive: UInt32 = 0
    ) {
        state.withLock { state in
            guard let index = state.table[key]?.realServers.firstIndex(where: { $0.server.endpoint == endpoint })
            else { return }
            state.table[key]?.realServers[index].activeConnections = active
            state.table[key]?.realServers[index].inactiveConnections = inactive
        }
    }

    public func flush() throws {
        state.withLock { state in
            state.table = [:]
            state.order = []
        }
    }

    public func timeouts() throws -> IPVSTimeouts { state.withLock { $0.timeouts } }

    public func setTimeouts(_ timeouts: IPVSTimeouts) throws {
        state.withLock { state in
            if timeouts.tcp != 0 { state.timeouts.tcp = timeouts.tcp }
            if timeouts.tcpFin != 0 { state.timeouts.tcpFin = timeouts.tcpFin }
            if timeouts.udp != 0 { state.timeouts.udp = timeouts.udp }
        }
    }

    public func apply(_ operations: [IPVSOperation]) -> [Result<Void, IPVSError>] {
        state.withLock { state in
            operations.map { operation in
                let code = state.refused.contains(operation) ? EINVAL : perform(operation, on: &state)
                let result: Result<Void, IPVSError> =
                    code == 0 ? .success(()) : .failure(.kernel(errno: code, operation: operation))
                state.journal.append((operation, result))
                return result
            }
        }
    }

    /// Applies one operation; returns the errno the kernel would (0 on success).
    private func perform(_ operation: IPVSOperation, on state: inout State) -> Int32 {
        switch operation {
        case .addVirtualServer(let server):
            if state.table[server.key] != nil { return EEXIST }
            if !schedulers.contains(server.scheduler) { return ENOENT }
            state.table[server.key] = VirtualServerState(server: server)
            state.order.insert(server.key, at: 0)
        case .updateVirtualServer(let server):
            guard state.table[server.key] != nil else { return ESRCH }
            if !schedulers.contains(server.scheduler) { return ENOENT }
            state.table[server.key]?.server = server
        case .deleteVirtualServer(let key):
            guard state.table.removeValue(forKey: key) != nil else { return ESRCH }
            state.order.removeAll { $0 == key }
        case .addRealServer(let real, let key):
            guard let current = state.table[key] else { return ESRCH }
            if real.weight < 0 { return ERANGE }
            if current.realServers.contains(where: { $0.server.endpoint == real.endpoint }) { return EEXIST }
            state.table[key]?.realServers.insert(RealServerState(server: real), at: 0)
        case .updateRealServer(let real, let key):
            guard let current = state.table[key] else { return ESRCH }
            if real.weight < 0 { return ERANGE }
            guard let index = current.realServers.firstIndex(where: { $0.server.endpoint == real.endpoint }) else {
                return ENOENT
            }
            state.table[key]?.realServers[index].server = real
        case .deleteRealServer(let endpoint, let key):
            guard let current = state.table[key] else { return ESRCH }
            guard let index = current.realServers.firstIndex(where: { $0.server.endpoint == endpoint }) else {
                return ENOENT
            }
            state.table[key]?.realServers.remove(at: index)
        }
        return 0
    }
}
