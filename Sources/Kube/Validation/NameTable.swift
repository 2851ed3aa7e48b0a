import Values

/// One shared copy of each name that many endpoints repeat: node names and zones. Decoding gives every endpoint
/// its own copy of its node's name, and a cloud node's name (`ip-10-0-1-23.eu-west-1.compute.internal`) is longer
/// than the 15 bytes a `String` holds inline, so at 100,000 endpoints on a few hundred nodes that is 100,000 heap
/// strings of one of a few hundred values. A validated endpoint takes its names from here instead.
///
/// Bounded: the table holds at most ``capacity`` names and starts again empty when full, so names no node has
/// (a tenant's slice may say anything) cannot grow it; a name that is not shared is only a copy, as before.
/// Safe from any thread (slices are validated on several at once). Names that fit inline are returned as they are.
public final class NameTable: Sendable {
    /// The table endpoints are validated with.
    public static let shared = NameTable(capacity: 16_384)

    /// The most names held at once.
    public let capacity: Int
    private let names: Locked<Set<String>>

    /// An empty table of at most `capacity` names.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        names = Locked([])
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

    /// How many names the table holds.
    public var count: Int { names.withLock { $0.count } }
}
