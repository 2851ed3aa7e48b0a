import Values

/// One pod of the fixture, as planned: its name (also its network namespace), address, links and behaviour.
public struct PodSpec: Sendable, Hashable, Codable {
    /// The pod's position, 0-based.
    public var index: Int
    /// The pod's name, which is also its network namespace's name and what its HTTP answers carry.
    public var name: String
    /// The pod's IPv4 address on the bridge.
    public var address: IPAddress
    /// The veth end on the node, attached to the bridge.
    public var hostInterface: String
    /// The veth end inside the pod's namespace.
    public var podInterface: String
    /// The pod's HTTP port.
    public var httpPort: Int
    /// The pod's TCP and UDP echo port.
    public var echoPort: Int
    /// The pod's response delay.
    public var delay: DelayDistribution
    /// The seed of the pod's delay generator.
    public var seed: UInt64

    /// The pod's network namespace (the same as its name).
    public var namespace: String { name }
}
