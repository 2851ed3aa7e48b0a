import Values
import IPVS
import Synchronization

@testable import Proxy

/// An in-memory dummy link with batch operations of its own, as `VIPInterface` has: it can refuse chosen
/// addresses, or fail whole batches (as a broken socket does).
final class BatchLink: VIPLink {
    let state = Mutex((addresses: Set<IPAddress>(), batches: 0, singles: 0, refused: Set<IPAddress>(), broken: false))

    var addressSet: Set<IPAddress> { state.withLock { $0.addresses } }
    var batches: Int { state.withLock { $0.batches } }
    var singles: Int { state.withLock { $0.singles } }
    func refuse(_ addresses: Set<IPAddress>) { state.withLock { $0.refused = addresses } }
    func breakSocket(_ broken: Bool) { state.withLock { $0.broken = broken } }

    func ensure() throws {}
    func addresses() throws -> [IPAddress] { state.withLock { Array($0.addresses) } }
    func add(_ address: IPAddress) throws { state.withLock { $0.singles += 1 } }
    func remove(_ address: IPAddress) throws { state.withLock { $0.singles += 1 } }

    func add(_ addresses: [IPAddress]) throws -> [Result<Void, IPVSError>] {
        try batch(addresses) { $0.insert($1) }
    }

    func remove(_ addresses: [IPAddress]) throws -> [Result<Void, IPVSError>] {
        try batch(addresses) { $0.remove($1) }
    }

    private func batch(
        _ addresses: [IPAddress], _ change: (inout Set<IPAddress>, IPAddress) -> Void
    ) throws -> [Result<Void, IPVSError>] {
        try state.withLock { state in
            if state.broken { throw IPVSError(code: .transport, message: "send: broken pipe", errno: 32) }
            state.batches += 1
            return addresses.map { address in
                if state.refused.contains(address) {
                    return .failure(IPVSError(code: .invalidArgument, message: "refused", errno: 22, object: "\(address)"))
                }
                change(&state.addresses, address)
                return .success(())
            }
        }
    }
}
