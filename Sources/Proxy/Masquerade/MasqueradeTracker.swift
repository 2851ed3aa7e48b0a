import Values
import IPVS

/// The elements the proxy's nftables sets must hold, kept in step with the desired state one virtual server at a
/// time: an update costs in proportion to the virtual servers it is given, and records its net effect in
/// `pending` for the next incremental write. Pure.
///
/// A virtual server contributes its masquerade element (by `MasqueradePolicy`), one hairpin element per
/// real-server address, its port on a VIP (any but a NodePort), its Service's health-check node port, and for a
/// load-balancer IP with source ranges the guard, the admitted ranges and (when no range holds a node address) the
/// refusal of the node's own connections. An element several virtual servers contribute is counted, and leaves
/// its set only when the last of them lets it go. The addresses bound on the VIP link are followed on their own,
/// from the desired state's `boundAddresses`.
public struct MasqueradeTracker: Sendable {
    /// The configuration elements are computed with.
    public let configuration: MasqueradeConfiguration
    /// Every element the sets must hold now (made on demand: a whole-table write, tests).
    public var elements: Set<MasqueradeElement> {
        var elements = Set<MasqueradeElement>(minimumCapacity: elementCount)
        forEachElement { elements.insert($0) }
        return elements
    }
    /// Calls `body` with every element the sets must hold now, in no particular order, without collecting them
    /// (a restart compares 130,000 of them with the sets read back at 10,000 Services).
    public func forEachElement(_ body: (MasqueradeElement) throws -> Void) rethrows {
        for address in hairpinV4Users.keys { try body(.hairpin(.v4(IPv4Address(address)))) }
        for address in hairpinV6Users.keys { try body(.hairpin(.v6(address))) }
        for address in vips { try body(.vip(address)) }
        for (key, contribution) in contributions { try contribution.own.forEach(in: key, body) }
        for element in otherUsers.keys { try body(element) }
    }
    /// How many elements the sets must hold now.
    public var elementCount: Int {
        hairpinV4Users.count + hairpinV6Users.count + vips.count + ownCount + otherUsers.count
    }
    /// Changes to `elements` not yet taken with `takePending()`.
    public private(set) var pending = MasqueradeDelta()
    /// Whether changes are recorded in `pending`. Off while the sets are to be written whole from the elements (a
    /// start's first write, a table found changed), when no delta is read: a start at 10,000 Services would otherwise
    /// record 130,000 additions only to drop them.
    public var recordsPending = true

    /// What each virtual server contributes, in no particular order.
    private var contributions: [VirtualServerKey: Contribution] = [:]
    /// Each element the sets must hold that several contributions may share, with how many hold it: the one copy
    /// of the elements (at 10,000 Services a second set of them held 15 MB). The hairpin elements, most of them
    /// (one per endpoint address), are counted by address, an IPv4 one by its 32-bit value: 8 bytes a slot where an
    /// element took 64 and an `IPAddress` 32 (at 10,000 Services x 10, 100,000 addresses in 262,144 slots: 2 MB,
    /// not 8 or 16). The elements one virtual server's key alone makes (its ``OwnElements``) and the VIPs are not
    /// counted: each has one source, and is listed from it.
    private var hairpinV4Users: [UInt32: UInt32] = [:]
    private var hairpinV6Users: [IPv6Address: UInt32] = [:]
    private var otherUsers: [MasqueradeElement: Int] = [:]
    /// How many elements the contributions' ``OwnElements`` make.
    private var ownCount = 0
    private var vips: Set<IPAddress> = []

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
        if let port = server.healthCheckNodePort {
            result.insert(.healthCheckPort(server.key.family, port: port))
        }
        guard case .service(let proto, let address, let port) = server.key else { return result }
        if case .nodePort = server.role {} else { result.insert(.vipPort(proto, address, port: port)) }
        if let ranges = server.sourceRanges {
            result.insert(.sourceGuarded(proto, address, port: port))
            for prefix in ranges.prefixes { result.insert(.sourceAdmitted(proto, address, port: port, prefix)) }
            if !ranges.admitsNode {
                result.insert(.nodeRefused(proto, address, port: port))
            } else if !ranges.prefixes.contains(where: { $0.contains(address) }),
                let itself = AddressPrefix(address: address, length: UInt8(address.family.bitWidth))
            {
                // kube-proxy's KUBE-LOAD-BALANCER-SOURCE-IP: the IP itself as a source, for the node's own
                // connections that come back through the input path.
                result.insert(.sourceAdmitted(proto, address, port: port, itself))
            }
        }
        return result
    }

    /// Recomputes these virtual servers and these VIP-link addresses from `desired` (a key absent from it
    /// withdraws its contribution; an address no longer bound leaves the `vips` set).
    public mutating func update(
        _ keys: some Sequence<VirtualServerKey>, addresses: some Sequence<IPAddress> = [IPAddress](),
        in desired: DesiredState
    ) {
        for address in addresses {
            let wanted = desired.boundAddresses.contains(address)
            guard wanted != vips.contains(address) else { continue }
            if wanted {
                vips.insert(address)
                if recordsPending { pending.add(.vip(address)) }
            } else {
                vips.remove(address)
                if recordsPending { pending.remove(.vip(address)) }
            }
        }
        for key in keys {
            let new = desired.virtualServers[key].map(contribution(of:)) ?? []
            let old = contributions[key] ?? Contribution()
            // `old` holds each element once: the same count and every one in `new` is the same contribution.
            guard old.count != new.count || !old.isIn(new, of: key) else { continue }
            contributions[key] = new.isEmpty ? nil : Contribution(new)
            let previous = old.elements(of: key)
            let kept = Set(previous)
            for element in previous where !new.contains(element) { release(element) }
            for element in new where !kept.contains(element) { retain(element) }
        }
    }

    /// Recomputes every virtual server, those that are gone included (the periodic full pass).
    public mutating func rebuild(from desired: DesiredState) {
        // The first: one entry a virtual server, the table sized once, not doubled again and again as 10,000 come
        // in. (Not the hairpins': a real server serves several virtual servers of its Service, a NodePort's and its
        // cluster IP's, and a table sized for their sum would be several times the addresses it holds.)
        if contributions.isEmpty { contributions.reserveCapacity(desired.virtualServers.count) }
        update(
            Set(contributions.keys).union(desired.virtualServers.keys), addresses: vips.union(desired.boundAddresses),
            in: desired)
    }

    /// Returns the pending changes and starts a new record.
    public mutating func takePending() -> MasqueradeDelta {
        defer { pending = MasqueradeDelta() }
        return pending
    }

    private mutating func retain(_ element: MasqueradeElement) {
        let count: Int
        if OwnElements(element) != nil {
            ownCount += 1
            count = 1
        } else if case .hairpin(.v4(let address)) = element {
            let users = (hairpinV4Users[address.value] ?? 0) + 1
            hairpinV4Users[address.value] = users
            count = Int(users)
        } else if case .hairpin(.v6(let address)) = element {
            let users = (hairpinV6Users[address] ?? 0) + 1
            hairpinV6Users[address] = users
            count = Int(users)
        } else {
            count = (otherUsers[element] ?? 0) + 1
            otherUsers[element] = count
        }
        if count == 1 && recordsPending { pending.add(element) }
    }

    private mutating func release(_ element: MasqueradeElement) {
        let left: Int?
        if OwnElements(element) != nil {
            ownCount -= 1
            left = 0
        } else if case .hairpin(.v4(let address)) = element {
            let users = hairpinV4Users[address.value].map { $0 - 1 }
            hairpinV4Users[address.value] = users == 0 ? nil : users
            left = users.map(Int.init)
        } else if case .hairpin(.v6(let address)) = element {
            let users = hairpinV6Users[address].map { $0 - 1 }
            hairpinV6Users[address] = users == 0 ? nil : users
            left = users.map(Int.init)
        } else {
            left = otherUsers[element].map { $0 - 1 }
            otherUsers[element] = left == 0 ? nil : left
        }
        if left == 0 && recordsPending { pending.remove(element) }
    }
}

/// One virtual server's contribution as the tracker keeps it: its hairpin elements (one per endpoint address, most
/// of it) as bare addresses, an IPv4 one in 4 bytes where an element takes 56, the elements its key alone makes as
/// bits, and the rest (a health-check node port, source ranges) as they are. At 10,000 Services x 10 endpoints a set
/// of elements per virtual server held 10 MB, one array of them 7 MB.
private struct Contribution: Sendable {
    var hairpinsV4: [UInt32] = []
    var hairpinsV6: [IPv6Address] = []
    var own: OwnElements = []
    var others: [MasqueradeElement] = []

    init() {}

    init(_ elements: Set<MasqueradeElement>) {
        hairpinsV4.reserveCapacity(elements.count { if case .hairpin(.v4) = $0 { true } else { false } })
        for element in elements {
            if let bit = OwnElements(element) {
                own.insert(bit)
                continue
            }
            switch element {
            case .hairpin(.v4(let address)): hairpinsV4.append(address.value)
            case .hairpin(.v6(let address)): hairpinsV6.append(address)
            default: others.append(element)
            }
        }
    }

    var count: Int { hairpinsV4.count + hairpinsV6.count + own.rawValue.nonzeroBitCount + others.count }

    /// Whether `set` holds every element of the virtual server `key` (without making them into an array: a full
    /// pass asks it of every one).
    func isIn(_ set: Set<MasqueradeElement>, of key: VirtualServerKey) -> Bool {
        hairpinsV4.allSatisfy { set.contains(.hairpin(.v4(IPv4Address($0)))) }
            && hairpinsV6.allSatisfy { set.contains(.hairpin(.v6($0))) }
            && ownAreIn(set, of: key) && others.allSatisfy(set.contains)
    }

    private func ownAreIn(_ set: Set<MasqueradeElement>, of key: VirtualServerKey) -> Bool {
        var all = true
        own.forEach(in: key) { all = all && set.contains($0) }
        return all
    }

    /// Every element of the virtual server `key`, hairpins first.
    func elements(of key: VirtualServerKey) -> [MasqueradeElement] {
        hairpinsV4.map { .hairpin(.v4(IPv4Address($0))) } + hairpinsV6.map { .hairpin(.v6($0)) }
            + own.elements(of: key) + others
    }
}

/// The elements a virtual server's key alone makes, each from its protocol, address and port: its masquerade rule's
/// and its port on a VIP. No other virtual server makes the same one (keys are unique), so they are kept as bits of
/// their virtual server's contribution, not as elements counted in a table (at 10,000 Services, 20,000 elements in
/// 65,536 slots of 64 bytes).
private struct OwnElements: OptionSet, Sendable {
    let rawValue: UInt8

    static let always = OwnElements(rawValue: 1)
    static let fromOutside = OwnElements(rawValue: 2)
    static let fromVirtualServerAddress = OwnElements(rawValue: 4)
    static let vipPort = OwnElements(rawValue: 8)

    init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The bit of an element of these kinds; nil for any other kind.
    init?(_ element: MasqueradeElement) {
        switch element {
        case .always: self = .always
        case .fromOutside: self = .fromOutside
        case .fromVirtualServerAddress: self = .fromVirtualServerAddress
        case .vipPort: self = .vipPort
        default: return nil
        }
    }

    /// Calls `body` with each element these bits stand for in the virtual server `key`, without collecting them.
    func forEach(in key: VirtualServerKey, _ body: (MasqueradeElement) throws -> Void) rethrows {
        guard !isEmpty, case .service(let proto, let address, let port) = key else { return }
        if contains(.always) { try body(.always(proto, address, port: port)) }
        if contains(.fromOutside) { try body(.fromOutside(proto, address, port: port)) }
        if contains(.fromVirtualServerAddress) { try body(.fromVirtualServerAddress(proto, address, port: port)) }
        if contains(.vipPort) { try body(.vipPort(proto, address, port: port)) }
    }

    /// The elements these bits stand for in the virtual server `key`.
    func elements(of key: VirtualServerKey) -> [MasqueradeElement] {
        var result: [MasqueradeElement] = []
        forEach(in: key) { result.append($0) }
        return result
    }
}
