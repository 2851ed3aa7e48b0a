import Values
import Health
import IPVS
import Kube

/// The cluster view and the desired state it implies, kept up to date one change at a time. A change to a Service
/// or to one of its slices recomputes that Service only, and reports exactly which virtual servers and addresses
/// it touched, so the planner can look at those alone.
public struct DesiredStateTracker: Sendable {
    /// What the last changes touched: the scope of the next planning pass.
    public struct Touched: Sendable, Hashable {
        /// Virtual servers that appeared, changed or vanished.
        public var virtualServers: Set<VirtualServerKey> = []
        /// Addresses that must now be bound, or no longer.
        public var addresses: Set<IPAddress> = []

        /// True when nothing was touched.
        public var isEmpty: Bool { virtualServers.isEmpty && addresses.isEmpty }

        /// Adds another change's touches.
        public mutating func formUnion(_ other: Touched) {
            virtualServers.formUnion(other.virtualServers)
            addresses.formUnion(other.addresses)
        }
    }

    /// The configuration the desired state is computed with.
    public internal(set) var configuration: ProxyConfiguration
    /// The desired state for every Service seen so far.
    public internal(set) var desired = DesiredState()
    /// Problems with Services that were worked around, by Service: the translator's, and the virtual servers a
    /// Service wants that another Service holds.
    public internal(set) var diagnostics: [ObjectKey: [ServiceDiagnostic]] = [:]
    /// The Services whose entry in `diagnostics` changed since the loop last took them
    /// (``takeDiagnosticsChanges()``): what it reports is redone for those only.
    var changedDiagnostics: Set<ObjectKey> = []

    /// How each health-checked Service's probed endpoints fare.
    public private(set) var healthSummaries: [ObjectKey: HealthSummary] = [:]
    /// Set when `healthSummaries` changed (a checked Service came, went or changed); the loop clears it.
    var healthSummariesChanged = false
    /// Probed endpoints that are down. Kept across recomputations and resyncs; forgotten when no Service uses
    /// the endpoint any more (it starts up again if it comes back).
    public internal(set) var downTargets: Set<HealthTarget> = []

    /// This node's Node as last read; nil before it arrives (or when the source does not read Nodes).
    public internal(set) var node: ValidatedNode?
    /// kube-proxy's `NodeEligible`: false while this node is being deleted, or tainted for deletion by the Cluster
    /// Autoscaler, or once its Node is deleted; nil until the Node is read.
    public internal(set) var nodeEligible: Bool?
    /// Set when ``nodeEligible`` changed; the loop clears it.
    var nodeEligibleChanged = false
    /// The health-check node port of every Service that needs one.
    public internal(set) var healthCheckNodePorts: [ObjectKey: HealthCheckNodePort] = [:]
    /// Services whose health-check node port changed since the loop last took them.
    var changedHealthCheckNodePorts: Set<ObjectKey> = []

    /// Each Service's object, slices and contribution, by Service.
    private(set) var entries: [ObjectKey: ServiceEntry] = [:]
    var targetUsers: [HealthTarget: Set<ObjectKey>] = [:]
    var changedTargets: Set<HealthTarget> = []
    private var sliceOwner: [ObjectKey: ObjectKey] = [:]
    private var addressUsers: [IPAddress: Int] = [:]
    /// Every Service that wants each virtual server wanted by more than one, with what it wants; the winner's is
    /// desired. A virtual server one Service wants (nearly all) has no entry: its claim is its owner in
    /// `servicePorts` and `desired`.
    var claims: [VirtualServerKey: [ObjectKey: DesiredVirtualServer]] = [:]
    /// For each Service, the virtual servers it wants that another Service holds.
    var lostKeys: [ObjectKey: Set<VirtualServerKey>] = [:]
    /// The translator's diagnostics, by Service.
    var ownDiagnostics: [ObjectKey: [ServiceDiagnostic]] = [:]

    /// An empty tracker.
    public init(configuration: ProxyConfiguration) {
        self.configuration = configuration
    }

    /// The Service that owns a virtual server (the winner among its claims), for status and logs.
    public func owner(of key: VirtualServerKey) -> ObjectKey? { servicePorts[key]?.service }
    /// The Service port each desired virtual server serves: its owner's, the winner among its claims. Kept as
    /// Services change, and written only when an entry changes: the traffic metrics keep the last pass's ports, so
    /// any write to this dictionary copies all of it.
    public internal(set) var servicePorts: [VirtualServerKey: ServiceMap.ServicePort] = [:]

    /// The Service port of virtual server `key` when Service `owner` holds it.
    func servicePort(of key: VirtualServerKey, heldBy owner: ObjectKey) -> ServiceMap.ServicePort {
        ServiceMap.ServicePort(service: owner, port: entries[owner]?.contribution?.portName(of: key) ?? "")
    }

    /// Applies one change and returns what it touched.
    @discardableResult
    public mutating func apply(_ change: ObjectChange) -> Touched {
        apply(CollectionOfOne(change))
    }

    /// Applies a batch of changes in order and returns what they touched: the objects first, then each affected
    /// Service's translation once. A new node's first list or scan brings each Service and its slices in one
    /// batch, which one change at a time translated twice (once without its endpoints). The desired state is the
    /// one the changes give one at a time. What is touched holds every virtual server and address that differs from
    /// before the batch, and may hold some that do not (the Services are translated in a set's order: an address two
    /// of them share may lose its last user and regain it); the planner finds nothing to do for those.
    @discardableResult
    public mutating func apply(_ changes: some Sequence<ObjectChange>) -> Touched {
        var touched = Touched()
        var affected: Set<ObjectKey> = []
        for change in changes {
            switch change {
            case .upsert(.service(let service)):
                entries[service.key, default: ServiceEntry()].service = service
                affected.insert(service.key)
            case .delete(.service(let service)):
                entries[service.key]?.service = nil
                affected.insert(service.key)
            case .upsert(.endpointSlice(let slice)):
                if let previous = sliceOwner[slice.key] {
                    removeSlice(slice.key, of: previous)
                    affected.insert(previous)
                }
                sliceOwner[slice.key] = slice.serviceKey
                if let owner = slice.serviceKey {
                    // Taken out to change and put back, here and below: one hash each way, and the slices stay the
                    // entry's alone (a change through the dictionary's subscript took more allocations).
                    var entry = entries.removeValue(forKey: owner) ?? ServiceEntry()
                    entry.put(slice)
                    entries[owner] = entry
                    affected.insert(owner)
                }
            case .delete(.endpointSlice(let slice)):
                if let previous = sliceOwner.removeValue(forKey: slice.key) {
                    removeSlice(slice.key, of: previous)
                    affected.insert(previous)
                }
            case .upsert(.node(let node)):
                // The node's labels and addresses change how every Service translates: the Services so far first.
                settle(&affected, into: &touched)
                touched.formUnion(applyNode(node))
            case .delete(.node(let node)):
                settle(&affected, into: &touched)
                touched.formUnion(applyNode(nil, deleted: node))
            }
        }
        settle(&affected, into: &touched)
        return touched
    }

    /// Translates each of `affected` once, adds what that touched to `touched`, and empties `affected`. Each
    /// Service's entry is dropped there once nothing is left in it.
    private mutating func settle(_ affected: inout Set<ObjectKey>, into touched: inout Touched) {
        for service in affected { touched.formUnion(recompute(service)) }
        affected = []
    }

    /// Removes slice `key` from Service `service`'s slices.
    private mutating func removeSlice(_ key: ObjectKey, of service: ObjectKey) {
        guard var entry = entries.removeValue(forKey: service) else { return }
        entry.slices.removeAll { $0.key == key }
        entries[service] = entry
    }

    mutating func recompute(_ key: ObjectKey) -> Touched {
        // Taken out and put back before the claims below read it.
        var entry = entries.removeValue(forKey: key) ?? ServiceEntry()
        let old = entry.contribution ?? Contribution()
        var new = ServiceTranslator.Output()
        if let service = entry.service {
            new = ServiceTranslator.translate(service, slices: entry.slices, configuration: configuration)
        }
        updateTargets(of: key, old: old.healthTargets, new: new.healthTargets)
        if healthCheckNodePorts[key] != new.healthCheckNodePort {
            healthCheckNodePorts[key] = new.healthCheckNodePort
            changedHealthCheckNodePorts.insert(key)
        }
        let (filtered, summary) = HealthFilter.apply(new, down: downTargets)
        new = filtered
        let newSummary = new.health == nil ? nil : summary
        if healthSummaries[key] != newSummary {
            healthSummaries[key] = newSummary
            healthSummariesChanged = true
        }
        entry.contribution = new.virtualServers.isEmpty && new.boundAddresses.isEmpty ? nil : Contribution(new)
        if entry.service != nil || !entry.slices.isEmpty || entry.contribution != nil { entries[key] = entry }
        ownDiagnostics[key] = new.diagnostics.isEmpty ? nil : new.diagnostics

        var touched = Touched()
        var stale: Set<ObjectKey> = [key]
        let newByKey = Dictionary(new.virtualServers.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for (serverKey, _) in old.portNames where newByKey[serverKey] == nil {
            if claim(serverKey, by: key, as: nil, stale: &stale) { touched.virtualServers.insert(serverKey) }
        }
        for (serverKey, server) in newByKey {
            if claim(serverKey, by: key, as: server, stale: &stale) { touched.virtualServers.insert(serverKey) }
        }
        for service in stale { refreshDiagnostics(of: service) }
        // The claims set each owner; a port of this Service's own may have been renamed.
        for serverKey in newByKey.keys {
            guard let held = servicePorts[serverKey], held.service == key else { continue }
            let port = servicePort(of: serverKey, heldBy: key)
            if held != port { servicePorts[serverKey] = port }
        }
        for address in old.boundAddresses where !new.boundAddresses.contains(address) {
            let users = (addressUsers[address] ?? 1) - 1
            addressUsers[address] = users > 0 ? users : nil
            if users <= 0 {
                desired.boundAddresses.remove(address)
                touched.addresses.insert(address)
            }
        }
        for address in new.boundAddresses where !old.boundAddresses.contains(address) {
            addressUsers[address, default: 0] += 1
            if desired.boundAddresses.insert(address).inserted { touched.addresses.insert(address) }
        }
        return touched
    }
}

/// What the tracker keeps of one Service: its object (nil before it arrives, and after it goes while slices still
/// name it), its slices sorted by key (an array: a Service has few), and what its last translation contributed. One
/// dictionary of these where three, each of 16,384 slots at 10,000 Services, took 1 MB more.
struct ServiceEntry {
    var service: ValidatedService?
    var slices: [ValidatedEndpointSlice] = []
    fileprivate var contribution: Contribution?

    /// Adds `slice`, or replaces the one with its key, in key order.
    mutating func put(_ slice: ValidatedEndpointSlice) {
        let index = slices.sortedIndex(of: slice.key) { $0.key }
        if index < slices.count, slices[index].key == slice.key {
            slices[index] = slice
        } else {
            slices.insert(slice, at: index)
        }
    }
}

/// What one Service's last translation contributed, as its next recompute needs it, without the rest of it (at
/// 10,000 Services the whole translations, 280 bytes each in the dictionary's slots, held about 5 MB; the virtual
/// servers themselves are the claims'). Its virtual servers' port names and its addresses are short arrays: a
/// dictionary and a set of one entry each took about 300 bytes a Service where these take about 150.
private struct Contribution {
    /// The Service port of each of its virtual servers: the keys are its virtual servers, each once, in order.
    var portNames: [(key: VirtualServerKey, name: String)] = []
    /// The addresses it binds, each once.
    var boundAddresses: [IPAddress] = []
    var healthTargets: Set<HealthTarget> = []

    init() {}

    init(_ output: ServiceTranslator.Output) {
        portNames = output.portNames.map { (key: $0.key, name: $0.value) }.sorted { $0.key < $1.key }
        boundAddresses = Array(output.boundAddresses)
        healthTargets = output.healthTargets
    }

    /// The Service port of virtual server `key`, nil when it is not one of its.
    func portName(of key: VirtualServerKey) -> String? {
        let index = portNames.sortedIndex(of: key, by: \.key)
        return index < portNames.count && portNames[index].key == key ? portNames[index].name : nil
    }
}
