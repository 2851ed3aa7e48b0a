/// An IPVS scheduler, by the name the kernel knows it under ("rr", "wlc", ...).
///
/// Any name is accepted: the kernel decides. The known ones are listed as constants; each lives in the kernel
/// module `ip_vs_<name>`, which the kernel loads on demand when it can.
public struct Scheduler: Sendable, Hashable, RawRepresentable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The kernel's name for the scheduler.
    public var rawValue: String

    /// Wraps a scheduler name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Wraps a scheduler name.
    public init(_ name: String) { self.rawValue = name }

    public init(stringLiteral value: String) { self.rawValue = value }

    /// The kernel module that provides this scheduler.
    public var kernelModule: String { "ip_vs_\(rawValue)" }

    /// True for the names the mainline kernel ships.
    public var isKnown: Bool { Self.known.contains(self) }

    public var description: String { rawValue }

    /// Round robin.
    public static let roundRobin: Scheduler = "rr"
    /// Weighted round robin.
    public static let weightedRoundRobin: Scheduler = "wrr"
    /// Least connection.
    public static let leastConnection: Scheduler = "lc"
    /// Weighted least connection (the kernel's default).
    public static let weightedLeastConnection: Scheduler = "wlc"
    /// Locality-based least connection.
    public static let localityBasedLeastConnection: Scheduler = "lblc"
    /// Locality-based least connection with replication.
    public static let localityBasedLeastConnectionReplication: Scheduler = "lblcr"
    /// Destination hashing.
    public static let destinationHashing: Scheduler = "dh"
    /// Source hashing.
    public static let sourceHashing: Scheduler = "sh"
    /// Shortest expected delay.
    public static let shortestExpectedDelay: Scheduler = "sed"
    /// Never queue.
    public static let neverQueue: Scheduler = "nq"
    /// Maglev hashing.
    public static let maglev: Scheduler = "mh"
    /// Weighted failover.
    public static let weightedFailover: Scheduler = "fo"
    /// Weighted overflow.
    public static let weightedOverflow: Scheduler = "ovf"
    /// Weighted random twos choice.
    public static let twos: Scheduler = "twos"

    /// The schedulers the mainline kernel ships.
    public static let known: [Scheduler] = [
        .roundRobin, .weightedRoundRobin, .leastConnection, .weightedLeastConnection,
        .localityBasedLeastConnection, .localityBasedLeastConnectionReplication, .destinationHashing,
        .sourceHashing, .shortestExpectedDelay, .neverQueue, .maglev, .weightedFailover, .weightedOverflow, .twos,
    ]
}
