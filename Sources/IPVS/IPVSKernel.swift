import Values

/// The kernel's IPVS table, as the layers above see it. `IPVSNetlinkClient` is the real one; tests use fakes.
/// Methods throw `IPVSError`.
public protocol IPVSKernel: Sendable {
    /// The kernel's IPVS version.
    func version() throws -> IPVSVersion
    /// Every virtual server with its real servers and statistics.
    func virtualServers() throws -> [VirtualServerState]
    /// One virtual server with its real servers, or nil if the kernel has none with that key.
    func virtualServer(_ key: VirtualServerKey) throws -> VirtualServerState?
    /// These virtual servers with their real servers, in the order of `keys`: nil where the kernel has none with
    /// that key. One request after another unless the kernel reads them pipelined (`IPVSNetlinkClient`).
    func virtualServers(_ keys: [VirtualServerKey]) throws -> [VirtualServerState?]
    /// Applies the operations in order, pipelined; returns one result per operation, in the same order.
    /// One failure does not stop the others.
    func apply(_ operations: [IPVSOperation]) -> [Result<Void, IPVSError>]
    /// Deletes every virtual server.
    func flush() throws
    /// The connection timeouts.
    func timeouts() throws -> IPVSTimeouts
    /// Sets the connection timeouts (a zero leaves that one unchanged).
    func setTimeouts(_ timeouts: IPVSTimeouts) throws
}

extension IPVSKernel {
    /// One ``virtualServer(_:)`` after another.
    public func virtualServers(_ keys: [VirtualServerKey]) throws -> [VirtualServerState?] {
        try keys.map { try virtualServer($0) }
    }

    /// Applies one operation, throwing its error.
    public func apply(_ operation: IPVSOperation) throws {
        guard let result = apply([operation]).first else { return }
        try result.get()
    }

    /// Adds a virtual server.
    public func add(_ server: VirtualServer) throws { try apply(.addVirtualServer(server)) }
    /// Updates a virtual server.
    public func update(_ server: VirtualServer) throws { try apply(.updateVirtualServer(server)) }
    /// Deletes a virtual server.
    public func delete(_ key: VirtualServerKey) throws { try apply(.deleteVirtualServer(key)) }
    /// Adds a real server to a virtual server.
    public func add(_ real: RealServer, to key: VirtualServerKey) throws { try apply(.addRealServer(real, to: key)) }
    /// Updates a real server of a virtual server.
    public func update(_ real: RealServer, in key: VirtualServerKey) throws {
        try apply(.updateRealServer(real, in: key))
    }
    /// Deletes a real server from a virtual server.
    public func delete(_ endpoint: RealServerEndpoint, from key: VirtualServerKey) throws {
        try apply(.deleteRealServer(endpoint, from: key))
    }
}
