import Values

/// A real server (the kernel's "destination") behind a virtual server.
public struct RealServer: Sendable, Hashable, CustomStringConvertible {
    // Declared in this order so that nothing is padded: the address takes 17 bytes, the one-byte forwarding method
    // fills its word, and the rest are aligned after it (32 bytes where the order of the ideas took 40; a desired
    // virtual server's table holds one per endpoint).
    /// Its address. It may differ in family from the virtual server only with tunnelling.
    public var address: IPAddress
    /// Forwarding method.
    public var forwarding: ForwardingMethod
    /// Its port (0 for firewall-mark services, where the packet's own port is kept).
    public var port: UInt16
    /// Relative weight; 0 takes it out of scheduling without dropping existing connections.
    public var weight: Int32
    /// Connection count above which it is overloaded (0: no limit).
    public var upperThreshold: UInt32
    /// Connection count below which it is taken back after being overloaded (0: not set).
    public var lowerThreshold: UInt32

    /// A real server; masquerading with weight 1 and no thresholds unless told otherwise.
    public init(
        address: IPAddress,
        port: UInt16,
        weight: Int32 = 1,
        forwarding: ForwardingMethod = .masquerade,
        upperThreshold: UInt32 = 0,
        lowerThreshold: UInt32 = 0
    ) {
        self.address = address
        self.port = port
        self.weight = weight
        self.forwarding = forwarding
        self.upperThreshold = upperThreshold
        self.lowerThreshold = lowerThreshold
    }

    /// What identifies a real server inside its virtual server.
    public var endpoint: RealServerEndpoint { RealServerEndpoint(address: address, port: port) }

    public var description: String { "real server \(address.withPort(port))" }
}

/// Address and port: what identifies a real server within one virtual server.
public struct RealServerEndpoint: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The address.
    public var address: IPAddress
    /// The port.
    public var port: UInt16

    /// An endpoint.
    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    public var description: String { address.withPort(port) }

    public static func < (lhs: RealServerEndpoint, rhs: RealServerEndpoint) -> Bool {
        lhs.address != rhs.address ? lhs.address < rhs.address : lhs.port < rhs.port
    }
}
