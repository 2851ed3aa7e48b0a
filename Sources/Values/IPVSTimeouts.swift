/// The kernel's IPVS connection timeouts, in seconds (ipvsadm --set tcp tcpfin udp). Zero means "leave as is"
/// when setting. A plain value here so that Settings (`--ipvs-tcp-timeout` ...) and IPVS share one type without
/// Settings importing IPVS.
public struct IPVSTimeouts: Sendable, Hashable {
    /// Established TCP connections.
    public var tcp: UInt32
    /// TCP connections after a FIN.
    public var tcpFin: UInt32
    /// UDP "connections".
    public var udp: UInt32

    /// Timeouts in seconds.
    public init(tcp: UInt32, tcpFin: UInt32, udp: UInt32) {
        self.tcp = tcp
        self.tcpFin = tcpFin
        self.udp = udp
    }
}
