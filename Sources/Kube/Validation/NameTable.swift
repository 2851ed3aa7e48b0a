import Values

/// One shared copy of each name that many endpoints repeat (node names and zones), and of each set of them an
/// endpoint holds with its hints (``ValidatedEndpointSlice/Endpoint/Placement``). Decoding gives every endpoint its
/// own copy of its node's name, and a cloud node's name (`ip-10-0-1-23.eu-west-1.compute.internal`) is longer than
/// the 15 bytes a `String` holds inline, so at 100,000 endpoints on a few hundred nodes that is 100,000 heap strings
/// of one of a few hundred values. A validated endpoint takes its names from here instead.
///
/// Bounded: the table holds at most ``capacity`` names and starts again empty when full, so names no node has
/// (a tenant's slice may say anything) cannot grow it; a name that is not shared is only a copy, as before.
/// Safe from any thread (slices are validated on several at once). Names that fit inline are returned as they are.
public final class NameTable: Sendable {
    /// An endpoint's node, zone and hints, shared.
    public typealias Placement = ValidatedEndpointSlice.Endpoint.Placement

    /// The table endpoints are validated with.
    public static let shared = NameTable(capacity: 16_384)

    /// The most zone hints, and the most node hints, an endpoint may carry through the API server
    /// (`discovery.k8s.io/v1` validation).
    public static let maxHintsPerKind = 8

    /// The most names held at once.
    public let capacity: Int
    private let names: Locked<Set<String>>
    private let placements: Locked<[Placement.Names: Placement]>

    /// An empty table of at most `capacity` names.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        names = Locked([])
        placements = Locked([:])
    }

    /// `name`, in the storage of the first equal name this table was given (unless the table started again since).
    public func intern(_ name: String) -> String {
        // Up to 15 UTF-8 bytes a String is inline, with nothing to share.
        guard name.utf8.count > 15 else { return name }
        return names.withLock { names in
            if let known = names.firstIndex(of: name) { return names[known] }
            if names.count >= capacity { names.removeAll() }
            names.insert(name)
            return name
        }
    }

    /// `name`, interned; nil stays nil.
    public func intern(_ name: String?) -> String? {
        name.map { intern($0) }
    }

    /// The placement of an endpoint on node `node` in zone `zone` with these hints, their names interned: the
    /// first equal one this table was given (unless its placements started again since, bounded as the names are).
    /// Nil when there are no names. One with more hints of a kind than the API server allows
    /// (``maxHintsPerKind``, only a manifest can say more) is the endpoint's own and not kept.
    public func placement(
        node: String?, zone: String?, hintZones: [String] = [], hintNodes: [String] = []
    ) -> Placement? {
        guard node != nil || zone != nil || !hintZones.isEmpty || !hintNodes.isEmpty else { return nil }
        guard hintZones.count <= Self.maxHintsPerKind, hintNodes.count <= Self.maxHintsPerKind else {
            // Never kept, so not looked up; nor are its hints interned, which would crowd out the names in use.
            return Placement(.init(node: intern(node), zone: intern(zone), hintZones: hintZones, hintNodes: hintNodes))
        }
        let key = Placement.Names(node: node, zone: zone, hintZones: hintZones, hintNodes: hintNodes)
        if let known = placements.withLock({ $0[key] }) { return known }
        let placement = Placement(
            .init(
                node: intern(node), zone: intern(zone), hintZones: hintZones.map { intern($0) },
                hintNodes: hintNodes.map { intern($0) }))
        return placements.withLock { placements in
            if let known = placements[key] { return known }
            if placements.count >= capacity { placements.removeAll() }
            // Keyed by its own interned names, not the caller's copies.
            placements[placement.names] = placement
            return placement
        }
    }

    /// How many names the table holds.
    public var count: Int { names.withLock { $0.count } }

    /// How many placements the table holds.
    public var placementCount: Int { placements.withLock { $0.count } }
}
