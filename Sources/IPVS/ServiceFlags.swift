/// Virtual-server flags the kernel keeps in `IP_VS_SVC_F_*` (persistence is separate: see `Persistence`).
public struct ServiceFlags: OptionSet, Sendable, Hashable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Schedule each packet on its own (UDP), IP_VS_SVC_F_ONEPACKET.
    public static let onePacket = ServiceFlags(rawValue: 0x0004)
    /// sh scheduler: fall back to another server when the hashed one is unavailable (IP_VS_SVC_F_SCHED1).
    public static let shFallback = ServiceFlags(rawValue: 0x0008)
    /// sh scheduler: include the source port in the hash (IP_VS_SVC_F_SCHED2).
    public static let shPort = ServiceFlags(rawValue: 0x0010)
    /// mh scheduler: fall back to another server when the hashed one is unavailable (IP_VS_SVC_F_SCHED_MH_FALLBACK,
    /// the same bit as sh's).
    public static let mhFallback = shFallback
    /// mh scheduler: include the source port in the hash (IP_VS_SVC_F_SCHED_MH_PORT, the same bit as sh's;
    /// `ipvsadm` shows it as `mh-port`). kube-proxy sets it on every virtual server when its scheduler is mh.
    public static let mhPort = shPort
    /// Scheduler flag 3 (IP_VS_SVC_F_SCHED3).
    public static let scheduler3 = ServiceFlags(rawValue: 0x0020)

    /// IP_VS_SVC_F_PERSISTENT: carried by `Persistence`, never set here.
    static let persistentBit: UInt32 = 0x0001
    /// IP_VS_SVC_F_HASHED: the kernel's own bookkeeping, reported but never settable.
    static let hashedBit: UInt32 = 0x0002
    /// The bits this type models.
    static let settable: UInt32 = 0x0004 | 0x0008 | 0x0010 | 0x0020
}

extension ServiceFlags {
    /// The scheduler flags' names as `ipvsadm` prints them for a virtual server with this scheduler: the two hashing
    /// schedulers name bits 1 and 2 after themselves (`sh-fallback`, `mh-port`, ...), any other scheduler shows the
    /// bits as `flag-1`, `flag-2`; bit 3 is always `flag-3`.
    public func schedulerFlagNames(scheduler: Scheduler) -> [String] {
        let hashing = ["sh", "mh"].contains(scheduler.rawValue) ? scheduler.rawValue : nil
        var names: [String] = []
        if contains(.shFallback) { names.append(hashing.map { "\($0)-fallback" } ?? "flag-1") }
        if contains(.shPort) { names.append(hashing.map { "\($0)-port" } ?? "flag-2") }
        if contains(.scheduler3) { names.append("flag-3") }
        return names
    }
}
