import Values
import IPVS

/// What one reconcile pass changes: kernel operations in a safe order, and the dummy link's addresses.
public struct Plan: Sendable, Hashable, CustomStringConvertible {
    /// IPVS operations, in the order they must be applied: virtual servers are created or updated first, then real
    /// servers are added and updated, then departing ones drained (weight 0), then deleted, then virtual servers
    /// that are no longer wanted are deleted. Nothing that stays is ever missing in between.
    public var operations: [IPVSOperation]
    /// Addresses to add to the dummy link (before traffic is expected on them).
    public var bind: [IPAddress]
    /// Addresses to remove from the dummy link (after their virtual servers are gone).
    public var unbind: [IPAddress]
    /// Virtual servers a Service wants that another program holds: left as they are.
    public var foreign: [VirtualServerKey] = []
    /// Virtual servers of another program a Service wants, taken over (`--adopt`): the proxy's from now on.
    public var adopted: [VirtualServerKey] = []

    /// A plan.
    public init(operations: [IPVSOperation] = [], bind: [IPAddress] = [], unbind: [IPAddress] = []) {
        self.operations = operations
        self.bind = bind
        self.unbind = unbind
    }

    /// Only what adds to the kernel: virtual servers and real servers created, addresses bound. What a pass ahead of
    /// the first full one may do (``Reconciler/sync(_:scope:additionsOnly:now:)``): updates, drains, deletions,
    /// unbinds and take-overs wait for the whole initial state.
    public func additions() -> Plan {
        var plan = Plan(
            operations: operations.filter {
                switch $0 {
                case .addVirtualServer, .addRealServer: true
                default: false
                }
            },
            bind: bind)
        plan.foreign = foreign
        return plan
    }

    /// True when there is nothing to do.
    public var isEmpty: Bool { operations.isEmpty && bind.isEmpty && unbind.isEmpty }

    /// One line per change, as `ipvs-proxy plan` prints it.
    public var description: String {
        var lines = bind.map { "bind \($0)" }
        lines += operations.map(\.description)
        lines += unbind.map { "unbind \($0)" }
        return lines.joined(separator: "\n")
    }
}
