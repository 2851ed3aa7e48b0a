/// Traffic counters and rates of a virtual or real server, as the kernel keeps them (64-bit where it can).
public struct Statistics: Sendable, Hashable {
    /// Connections scheduled.
    public var connections: UInt64 = 0
    /// Packets in.
    public var inPackets: UInt64 = 0
    /// Packets out.
    public var outPackets: UInt64 = 0
    /// Bytes in.
    public var inBytes: UInt64 = 0
    /// Bytes out.
    public var outBytes: UInt64 = 0
    /// Connections per second (estimated by the kernel).
    public var connectionRate: UInt64 = 0
    /// Incoming packets per second.
    public var inPacketRate: UInt64 = 0
    /// Outgoing packets per second.
    public var outPacketRate: UInt64 = 0
    /// Incoming bytes per second.
    public var inByteRate: UInt64 = 0
    /// Outgoing bytes per second.
    public var outByteRate: UInt64 = 0

    /// All zeros.
    public init() {}
}
