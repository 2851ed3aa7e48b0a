import IPVS
import Values

/// A ``FakeKernel`` seen through a hook that runs before each batch of operations reaches it: for tests that
/// need a batch to wait for, or meet, something happening on another thread.
public struct HookedKernel: IPVSKernel {
    public let base: FakeKernel
    let beforeApply: @Sendable ([IPVSOperation]) -> Void

    /// `base`, with `beforeApply` run on the caller's thread before each batch.
    public init(_ base: FakeKernel, beforeApply: @escaping @Sendable ([IPVSOperation]) -> Void) {
        self.base = base
        self.beforeApply = beforeApply
    }

    public func version() throws -> IPVSVersion { try base.version() }
    public func virtualServers() throws -> [VirtualServerState] { try base.virtualServers() }
    public func virtualServer(_ key: VirtualServerKey) throws -> VirtualServerState? { try base.virtualServer(key) }
    public func apply(_ operations: [IPVSOperation]) -> [Result<Void, IPVSError>] {
        beforeApply(operations)
        return base.apply(operations)
    }
    public func flush() throws { try base.flush() }
    public func timeouts() throws -> IPVSTimeouts { try base.timeouts() }
    public func setTimeouts(_ timeouts: IPVSTimeouts) throws { try base.setTimeouts(timeouts) }
}
