import IPVS

/// A real server of one virtual server: what graceful termination tracks.
public struct RealServerRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The virtual server.
    public var virtualServer: VirtualServerKey
    /// The real server's address and port.
    public var endpoint: RealServerEndpoint

    /// A reference.
    public init(_ virtualServer: VirtualServerKey, _ endpoint: RealServerEndpoint) {
        self.virtualServer = virtualServer
        self.endpoint = endpoint
    }

    public var description: String { "\(endpoint) of \(virtualServer)" }

    public static func < (lhs: RealServerRef, rhs: RealServerRef) -> Bool {
        lhs.virtualServer != rhs.virtualServer ? lhs.virtualServer < rhs.virtualServer : lhs.endpoint < rhs.endpoint
    }
}
