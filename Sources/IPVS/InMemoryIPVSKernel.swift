import Foundation
import Glibc

/// An `IPVSKernel` kept in memory that answers as the kernel does (EEXIST, ESRCH, ENOENT, unknown scheduler,
/// negative weight), for testing the layers above without a kernel. Statistics stay zero.
public final class InMemoryIPVSKernel: IPVSKernel, @unchecked Sendable {
    private let lock = NSLock()
    private var table: [VirtualServerKey: VirtualServerState] = [:]
    private var order: [VirtualServerKey] = []
    private var currentTimeouts = Timeouts(tcp: 900, tcpFin: 120, udp: 300)
    /// Schedulers it accepts (the known kernel ones unless told otherwise).
    public let schedulers: Set<Scheduler>
    /// Every operation applied, in order, with its result: lets tests check what was sent.
    public private(set) var journal: [(IPVSOperation, Result<Void, IPVSError>)] = []

    /// An empty table.
    public init(schedulers: Set<Scheduler> = Set(Scheduler.known)) { self.schedulers = schedulers }

    public func version() throws -> IPVSVersion { IPVSVersion(code: 0x010201, connectionTableSize: 4096) }

    public func virtualServers() throws -> [VirtualServerState] {
        lock.withLock { order.compactMap { table[$0] } }
    }

    public func virtualServer(_ key: VirtualServerKey) throws -> VirtualServerState? { lock.withLock { table[key] } }

    public func flush() throws {
        lock.withLock {
            table = [:]
            order = []
        }
    }

    public func timeouts() throws -> Timeouts { lock.withLock { currentTimeouts } }

    public func setTimeouts(_ timeouts: Timeouts) throws {
        lock.withLock {
            if timeouts.tcp != 0 { currentTimeouts.tcp = timeouts.tcp }
            if timeouts.tcpFin != 0 { currentTimeouts.tcpFin = timeouts.tcpFin }
            if timeouts.udp != 0 { currentTimeouts.udp = timeouts.udp }
        }
    }

    public func apply(_ operations: [IPVSOperation]) -> [Result<Void, IPVSError>] {
        lock.withLock {
            operations.map { operation in
                let code = perform(operation)
                let result: Result<Void, IPVSError> =
                    code == 0 ? .success(()) : .failure(.kernel(errno: code, operation: operation))
                journal.append((operation, result))
                return result
            }
        }
    }

    /// Applies one operation; returns the errno the kernel would (0 on success).
    private func perform(_ operation: IPVSOperation) -> Int32 {
        switch operation {
        case .addVirtualServer(let server):
            if table[server.key] != nil { return EEXIST }
            if !schedulers.contains(server.scheduler) { return ENOENT }
            table[server.key] = VirtualServerState(server: server)
            order.insert(server.key, at: 0)
        case .updateVirtualServer(let server):
            guard table[server.key] != nil else { return ESRCH }
            if !schedulers.contains(server.scheduler) { return ENOENT }
            table[server.key]?.server = server
        case .deleteVirtualServer(let key):
            guard table.removeValue(forKey: key) != nil else { return ESRCH }
            order.removeAll { $0 == key }
        case .addRealServer(let real, let key):
            guard let state = table[key] else { return ESRCH }
            if real.weight < 0 { return ERANGE }
            if state.realServers.contains(where: { $0.server.endpoint == real.endpoint }) { return EEXIST }
            table[key]?.realServers.insert(RealServerState(server: real), at: 0)
        case .updateRealServer(let real, let key):
            guard let state = table[key] else { return ESRCH }
            if real.weight < 0 { return ERANGE }
            guard let index = state.realServers.firstIndex(where: { $0.server.endpoint == real.endpoint }) else {
                return ENOENT
            }
            table[key]?.realServers[index].server = real
        case .deleteRealServer(let endpoint, let key):
            guard let state = table[key] else { return ESRCH }
            guard let index = state.realServers.firstIndex(where: { $0.server.endpoint == endpoint }) else {
                return ENOENT
            }
            table[key]?.realServers.remove(at: index)
        }
        return 0
    }
}
