import Values
import IPVS

/// Diffs the desired state against the kernel's actual state. Pure: the same inputs give the same plan.
public enum Planner {
    /// The plan that takes the kernel from `actual` to `desired`, within `scope`, touching only what `ownership`
    /// says is the proxy's: a virtual server another program holds is neither changed nor deleted, even when a
    /// Service wants it (it is listed in `foreign`), unless `ownership.adopt` takes it over (listed in `adopted`).
    /// Departing real servers go through `termination`.
    public static func plan(
        desired: DesiredState,
        actual: [VirtualServerKey: KnownVirtualServer],
        ownership: Ownership,
        scope: PlanScope = .all,
        termination: inout GracefulTermination,
        now: ContinuousClock.Instant
    ) -> Plan {
        let keys: [VirtualServerKey]
        let addresses: Set<IPAddress>
        switch scope {
        case .all:
            keys = Array(Set(desired.virtualServers.keys).union(actual.keys))
            addresses = desired.boundAddresses.union(ownership.linkAddresses)
        case .only(let someKeys, let someAddresses):
            keys = Array(someKeys)
            addresses = someAddresses
        }
        var steps = Steps()
        var foreign: [VirtualServerKey] = []
        var adopted: [VirtualServerKey] = []
        for key in keys.sorted() {
            let (wanted, exists) = (desired.virtualServers[key] != nil, actual[key] != nil)
            if ownership.isHeldByAnother(key, wanted: wanted, exists: exists) { foreign.append(key) }
            if wanted && exists && !ownership.excludes(key) && !ownership.owns(key) && ownership.adopt {
                adopted.append(key)
            }
            planVirtualServer(
                key,
                desired: desired.virtualServers[key],
                actual: actual[key],
                owned: ownership.mayChange(key, wanted: wanted, exists: exists),
                into: &steps,
                termination: &termination,
                now: now
            )
        }
        var plan = Plan(operations: steps.ordered)
        plan.foreign = foreign
        plan.adopted = adopted
        for address in addresses.sorted() where !ownership.excludes(address) {
            let wanted = desired.boundAddresses.contains(address)
            let bound = ownership.linkAddresses.contains(address)
            if wanted && !bound { plan.bind.append(address) }
            if !wanted && bound { plan.unbind.append(address) }
        }
        return plan
    }

    /// The operations of one pass, by phase; `ordered` gives them in the order they must be applied.
    struct Steps {
        var virtualServers: [IPVSOperation] = []
        var addOrUpdateReal: [IPVSOperation] = []
        var drain: [IPVSOperation] = []
        var deleteReal: [IPVSOperation] = []
        var deleteVirtual: [IPVSOperation] = []

        var ordered: [IPVSOperation] { virtualServers + addOrUpdateReal + drain + deleteReal + deleteVirtual }
    }

    static func planVirtualServer(
        _ key: VirtualServerKey,
        desired: DesiredVirtualServer?,
        actual: KnownVirtualServer?,
        owned: Bool,
        into steps: inout Steps,
        termination: inout GracefulTermination,
        now: ContinuousClock.Instant
    ) {
        guard owned else {
            termination.forgetAll(of: key)
            return
        }
        guard let desired else {
            if actual != nil {
                steps.deleteVirtual.append(.deleteVirtualServer(key))
                termination.forgetAll(of: key)
            }
            return
        }
        guard let actual else {
            termination.forgetAll(of: key)
            steps.virtualServers.append(.addVirtualServer(desired.server))
            for real in desired.realServers { steps.addOrUpdateReal.append(.addRealServer(real, to: key)) }
            return
        }
        if actual.server != desired.server {
            steps.virtualServers.append(.updateVirtualServer(desired.server))
        }
        if actual.realServers == desired.realServers {
            // Nothing to add, change or let go (both tables are sorted by endpoint, and once equal they share one
            // copy, which compares at once): what the general path below would conclude, without its lookups.
            termination.forgetAll(of: key)
            return
        }
        termination.keepOnly(key) { actual.realServers[$0] != nil }
        for real in desired.realServers {
            let endpoint = real.endpoint
            termination.forget(RealServerRef(key, endpoint))
            if let existing = actual.realServers[endpoint] {
                if existing != real { steps.addOrUpdateReal.append(.updateRealServer(real, in: key)) }
            } else {
                steps.addOrUpdateReal.append(.addRealServer(real, to: key))
            }
        }
        for existing in actual.realServers where desired.realServers[existing.endpoint] == nil {
            let endpoint = existing.endpoint
            guard let state = actual[endpoint] else { continue }
            switch termination.decide(RealServerRef(key, endpoint), current: state, now: now) {
            case .drain:
                var drained = state.server
                drained.weight = 0
                steps.drain.append(.updateRealServer(drained, in: key))
            case .wait:
                break
            case .delete:
                steps.deleteReal.append(.deleteRealServer(endpoint, from: key))
            }
        }
    }
}
