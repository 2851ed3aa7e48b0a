import IPVS

/// The elements the proxy's nftables sets must hold, kept in step with the desired state one virtual server at a
/// time: an update costs in proportion to the virtual servers it is given, and records its net effect in
/// `pending` for the next incremental write. Pure.
///
/// A virtual server contributes its masquerade element (by `MasqueradePolicy`) and one hairpin element per
/// real-server address; an endpoint behind several virtual servers is counted, and leaves the hairpin set only
/// when the last of them lets it go.
public struct MasqueradeTracker: Sendable {
    /// The configuration elements are computed with.
    public let configuration: MasqueradeConfiguration
    /// Every element the sets must hold now.
    public private(set) var elements: Set<MasqueradeElement> = []
    /// Changes to `elements` not yet taken with `takePending()`.
    public private(set) var pending = MasqueradeDelta()

    private var contributions: [VirtualServerKey: Set<MasqueradeElement>] = [:]
    private var users: [MasqueradeElement: Int] = [:]

    /// An empty tracker.
    public init(configuration: MasqueradeConfiguration) {
        self.configuration = configuration
    }

    /// What one desired virtual server contributes.
    public func contribution(of server: DesiredVirtualServer) -> Set<MasqueradeElement> {
        var result = Set(server.realServers.keys.map { MasqueradeElement.hairpin($0.address) })
        if let rule = MasqueradePolicy.rule(for: server.role, family: server.key.family, configuration: configuration),
            let element = MasqueradeElement(server.key, rule: rule)
        {
            result.insert(element)
        }
        return result
    }

    /// Recomputes these virtual servers from `desired` (a key absent from it withdraws its contribution).
    public mutating func update(_ keys: some Sequence<VirtualServerKey>, in desired: DesiredState) {
        for key in keys {
            let new = desired.virtualServers[key].map(contribution(of:)) ?? []
            let old = contributions[key] ?? []
            guard new != old else { continue }
            contributions[key] = new.isEmpty ? nil : new
            for element in old.subtracting(new) { release(element) }
            for element in new.subtracting(old) { retain(element) }
        }
    }

    /// Recomputes every virtual server, those that are gone included (the periodic full pass).
    public mutating func rebuild(from desired: DesiredState) {
        update(Set(contributions.keys).union(desired.virtualServers.keys), in: desired)
    }

    /// Returns the pending changes and starts a new record.
    public mutating func takePending() -> MasqueradeDelta {
        defer { pending = MasqueradeDelta() }
        return pending
    }

    private mutating func retain(_ element: MasqueradeElement) {
        users[element, default: 0] += 1
        if elements.insert(element).inserted { pending.add(element) }
    }

    private mutating func release(_ element: MasqueradeElement) {
        let remaining = (users[element] ?? 1) - 1
        users[element] = remaining > 0 ? remaining : nil
        if remaining <= 0, elements.remove(element) != nil { pending.remove(element) }
    }
}
