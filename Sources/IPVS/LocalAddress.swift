import Values

/// An address configured on one of the node's interfaces.
public struct LocalAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address.
    public var address: IPAddress
    /// Its prefix length.
    public var prefixLength: UInt8
    /// The interface's index.
    public var interfaceIndex: Int32
    /// The interface's name, when known.
    public var interfaceName: String?

    /// A local address.
    public init(address: IPAddress, prefixLength: UInt8, interfaceIndex: Int32, interfaceName: String? = nil) {
        self.address = address
        self.prefixLength = prefixLength
        self.interfaceIndex = interfaceIndex
        self.interfaceName = interfaceName
    }

    public var description: String { "\(address)/\(prefixLength) dev \(interfaceName ?? "#\(interfaceIndex)")" }
}
