import Foundation
import IPVS
import Proxy
import Values

/// The tests' one node address source: addresses set by the test, and an address event raised with each change,
/// as the kernel's rtnetlink address groups would. `nextChange` looks for one every 5 ms.
public final class FakeNodeAddresses: NodeAddressSource {
    private struct State {
        var addresses: [LocalAddress]
        var changed = false
        var reads = 0
    }

    private let state: Locked<State>

    /// A node with these addresses.
    public init(_ addresses: [LocalAddress] = []) {
        state = Locked(State(addresses: addresses))
    }

    /// How many times the addresses were read.
    public var reads: Int { state.withLock { $0.reads } }

    /// Replaces the node's addresses and raises an address event.
    public func set(_ addresses: [LocalAddress]) {
        state.withLock {
            $0.addresses = addresses
            $0.changed = true
        }
    }

    public func nextChange(until deadline: ContinuousClock.Instant) async throws -> Bool {
        while ContinuousClock.now < deadline {
            let changed = state.withLock { state in
                defer { state.changed = false }
                return state.changed
            }
            if changed { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    public func localAddresses() throws -> [LocalAddress] {
        state.withLock {
            $0.reads += 1
            return $0.addresses
        }
    }
}
