import Synchronization
import Values

@testable import Proxy

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
