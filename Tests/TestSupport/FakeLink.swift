import IPVS
import Proxy
import Values

/// The tests' one VIP link: an in-memory dummy link that takes addresses one at a time or in batches, as
/// `VIPInterface` does, and counts both. It can start absent (`ensure()` creates it), refuse chosen addresses in a
/// batch, or fail whole batches (as a broken socket does).
public final class FakeLink: VIPLink {
    private struct State {
        var exists: Bool
        var addresses: Set<IPAddress>
        var writes = 0
        var batches = 0
        var singles = 0
        var refused: Set<IPAddress> = []
        var broken = false
    }

    private let state: Locked<State>

    /// A link holding `addresses`, present unless `exists` is false.
    public init(addresses: Set<IPAddress> = [], exists: Bool = true) {
        state = Locked(State(exists: exists, addresses: addresses))
    }

    /// Addresses added or removed so far, one at a time or in batches.
    public var writes: Int { state.withLock { $0.writes } }
    /// Batches sent so far.
    public var batches: Int { state.withLock { $0.batches } }
    /// Single additions and removals so far.
    public var singles: Int { state.withLock { $0.singles } }
    /// Whether the link exists.
    public var exists: Bool { state.withLock { $0.exists } }
    /// The addresses on the link now.
    public var addressSet: Set<IPAddress> { state.withLock { $0.addresses } }
    /// Makes batches refuse `addresses` (EINVAL), until called again.
    public func refuse(_ addresses: Set<IPAddress>) { state.withLock { $0.refused = addresses } }
    /// Makes whole batches fail (EPIPE), or work again.
    public func breakSocket(_ broken: Bool) { state.withLock { $0.broken = broken } }

    public func ensure() throws -> Bool {
        state.withLock { state in
            defer { state.exists = true }
            return !state.exists
        }
    }

    public func delete() throws {
        state.withLock {
            $0.exists = false
            $0.addresses = []
        }
    }
    public func addresses() throws -> [IPAddress] { state.withLock { Array($0.addresses) } }
    public func add(_ address: IPAddress) throws { single { $0.insert(address) } }
    public func remove(_ address: IPAddress) throws { single { $0.remove(address) } }

    public func add(_ addresses: [IPAddress]) throws -> [Result<Void, IPVSError>] {
        try batch(addresses) { $0.insert($1) }
    }

    public func remove(_ addresses: [IPAddress]) throws -> [Result<Void, IPVSError>] {
        try batch(addresses) { $0.remove($1) }
    }

    private func single(_ change: (inout Set<IPAddress>) -> Void) {
        state.withLock {
            $0.singles += 1
            $0.writes += 1
            change(&$0.addresses)
        }
    }

    private func batch(
        _ addresses: [IPAddress], _ change: (inout Set<IPAddress>, IPAddress) -> Void
    ) throws -> [Result<Void, IPVSError>] {
        try state.withLock { state in
            if state.broken { throw IPVSError(code: .transport, message: "send: broken pipe", errno: 32) }
            state.batches += 1
            return addresses.map { address in
                if state.refused.contains(address) {
                    let refusal = IPVSError(code: .invalidArgument, message: "refused", errno: 22, object: "\(address)")
                    return .failure(refusal)
                }
                state.writes += 1
                change(&state.addresses, address)
                return .success(())
            }
        }
    }
}
