import IPVS

/// The UDP and SCTP frontends of the desired state as last programmed, with their real servers, kept up to date one
/// virtual server at a time: `update` gives what `StaleFlowRules.after(previous, new)` gives, at the cost of the
/// virtual servers a pass touched rather than of the whole desired state (and without keeping the previous desired
/// state alive, whose next change would then copy it whole).
struct CleanedFrontends: Sendable, Hashable {
    /// Every frontend, with its real servers (possibly none).
    private(set) var all: [StaleFlowRules.Frontend: Set<RealServerEndpoint>] = [:]
    /// The frontends with at least one real server: the rules' `served`.
    private(set) var served: [StaleFlowRules.Frontend: Set<RealServerEndpoint>] = [:]
    /// False until the first pass was seen.
    private var seen = false

    /// The rules after a pass that left the desired state at `desired`, having changed it at most in `touched` (nil:
    /// anywhere, a full pass); nil when the pass asks for no cleanup.
    mutating func update(_ desired: DesiredState, touched: Set<VirtualServerKey>?) -> StaleFlowRules? {
        guard seen, let touched else {
            let before = all
            all = StaleFlowRules.frontends(desired)
            served = all.filter { !$0.value.isEmpty }
            seen = true
            guard before != all else { return nil }
            return Self.rules(served: served, removed: Set(before.keys).subtracting(all.keys))
        }
        var changed = false
        var removed: Set<StaleFlowRules.Frontend> = []
        for key in touched {
            guard let frontend = StaleFlowRules.Frontend(cleaned: key) else { continue }
            let now = StaleFlowRules.backends(of: desired.virtualServers[key])
            guard now != all[frontend] else { continue }
            changed = true
            if now == nil, all[frontend] != nil { removed.insert(frontend) }
            all[frontend] = now
            served[frontend] = now?.isEmpty == false ? now : nil
        }
        guard changed else { return nil }
        return Self.rules(served: served, removed: removed)
    }

    private static func rules(
        served: [StaleFlowRules.Frontend: Set<RealServerEndpoint>], removed: Set<StaleFlowRules.Frontend>
    ) -> StaleFlowRules? {
        let rules = StaleFlowRules(served: served, removed: removed)
        return rules.isEmpty ? nil : rules
    }
}
