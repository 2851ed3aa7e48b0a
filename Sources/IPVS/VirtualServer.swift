/// A virtual server's configuration: what the kernel is told on add and update.
public struct VirtualServer: Sendable, Hashable, CustomStringConvertible {
    /// What identifies it.
    public var key: VirtualServerKey
    /// Its scheduler.
    public var scheduler: Scheduler
    /// One-packet and scheduler flags.
    public var flags: ServiceFlags
    /// Session affinity, or nil for none.
    public var persistence: Persistence?

    /// A virtual server; `scheduler` defaults to the kernel's default, wlc.
    public init(
        key: VirtualServerKey,
        scheduler: Scheduler = .weightedLeastConnection,
        flags: ServiceFlags = [],
        persistence: Persistence? = nil
    ) {
        self.key = key
        self.scheduler = scheduler
        self.flags = flags
        self.persistence = persistence
    }

    public var description: String { "virtual server \(key)" }
}
