/// The kernel's IPVS version and connection table size, as IPVS_CMD_GET_INFO reports them.
public struct IPVSVersion: Sendable, Hashable, CustomStringConvertible {
    /// The version number, packed as major << 16 | minor << 8 | patch.
    public var code: UInt32
    /// Size of the connection hash table.
    public var connectionTableSize: UInt32

    /// A version.
    public init(code: UInt32, connectionTableSize: UInt32) {
        self.code = code
        self.connectionTableSize = connectionTableSize
    }

    /// Major version.
    public var major: UInt32 { code >> 16 & 0xff }
    /// Minor version.
    public var minor: UInt32 { code >> 8 & 0xff }
    /// Patch level.
    public var patch: UInt32 { code & 0xff }

    /// "1.2.1", as ipvsadm prints it.
    public var description: String { "\(major).\(minor).\(patch)" }
}
