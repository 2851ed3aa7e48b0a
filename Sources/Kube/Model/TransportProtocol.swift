/// The L4 protocol of a Service or endpoint port.
public enum TransportProtocol: String, Sendable, Hashable, CaseIterable, Codable {
    /// TCP.
    case tcp = "TCP"
    /// UDP.
    case udp = "UDP"
    /// SCTP.
    case sctp = "SCTP"
}
