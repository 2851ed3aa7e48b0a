/// One change to the kernel's IPVS table, as the batch API takes them.
public enum IPVSOperation: Sendable, Hashable, CustomStringConvertible {
    /// Creates a virtual server (EEXIST if it exists).
    case addVirtualServer(VirtualServer)
    /// Changes a virtual server's scheduler, flags or persistence (ESRCH if missing).
    case updateVirtualServer(VirtualServer)
    /// Deletes a virtual server and its real servers (ESRCH if missing).
    case deleteVirtualServer(VirtualServerKey)
    /// Adds a real server to a virtual server (EEXIST if there).
    case addRealServer(RealServer, to: VirtualServerKey)
    /// Changes a real server's weight, forwarding or thresholds (ENOENT if missing).
    case updateRealServer(RealServer, in: VirtualServerKey)
    /// Removes a real server (ENOENT if missing).
    case deleteRealServer(RealServerEndpoint, from: VirtualServerKey)

    /// The object the operation concerns, for error messages ("real server 10.0.0.1:80 of TCP 10.96.0.1:80").
    public var object: String {
        switch self {
        case .addVirtualServer(let server), .updateVirtualServer(let server): "virtual server \(server.key)"
        case .deleteVirtualServer(let key): "virtual server \(key)"
        case .addRealServer(let real, let key), .updateRealServer(let real, let key):
            "real server \(real.address.withPort(real.port)) of \(key)"
        case .deleteRealServer(let endpoint, let key): "real server \(endpoint) of \(key)"
        }
    }

    /// The virtual server the operation concerns.
    public var virtualServerKey: VirtualServerKey {
        switch self {
        case .addVirtualServer(let server), .updateVirtualServer(let server): server.key
        case .deleteVirtualServer(let key): key
        case .addRealServer(_, let key), .updateRealServer(_, let key), .deleteRealServer(_, let key): key
        }
    }

    /// What the operation does.
    public var verb: String {
        switch self {
        case .addVirtualServer, .addRealServer: "add"
        case .updateVirtualServer, .updateRealServer: "update"
        case .deleteVirtualServer, .deleteRealServer: "delete"
        }
    }

    public var description: String { "\(verb) \(object)" }
}
