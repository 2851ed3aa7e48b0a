import CNetlink
import Glibc

extension IPVSNetlinkClient {
    public func virtualServers() throws -> [VirtualServerState] {
        try withLock {
            var services: [VirtualServerState] = []
            let errors = try exchange(count: 1, window: 1, slot: 32 << 10) { _, seq, encoder in
                IPVSMessages.encodeCommand(
                    UInt8(IPVS_CMD_GET_SERVICE), flags: IPVSMessages.dump, family: family, sequence: seq,
                    into: &encoder)
            } onData: { _, attributes in
                if let nest = attributes.nested(UInt16(IPVS_CMD_ATTR_SERVICE)),
                    let service = IPVSMessages.decodeService(nest)
                {
                    services.append(service)
                }
            }
            if errors[0] != 0 { throw IPVSError.kernel(errno: errors[0], request: "list virtual servers") }
            try fillRealServers(&services)
            return services
        }
    }

    public func virtualServer(_ key: VirtualServerKey) throws -> VirtualServerState? {
        try withLock {
            var services: [VirtualServerState] = []
            let errors = try exchange(count: 1, window: 1, slot: 32 << 10) { _, seq, encoder in
                IPVSMessages.encodeServiceQuery(
                    UInt8(IPVS_CMD_GET_SERVICE), key: key, flags: IPVSMessages.ack, family: family, sequence: seq,
                    into: &encoder)
            } onData: { _, attributes in
                if let nest = attributes.nested(UInt16(IPVS_CMD_ATTR_SERVICE)),
                    let service = IPVSMessages.decodeService(nest)
                {
                    services.append(service)
                }
            }
            if errors[0] == ESRCH || errors[0] == ENOENT { return nil }
            if errors[0] != 0 { throw IPVSError.kernel(errno: errors[0], request: "get virtual server \(key)") }
            try fillRealServers(&services)
            return services.first
        }
    }

    /// Dumps the real servers of every service, many dumps in flight at once. A dump the kernel refuses as busy
    /// (another still running on this socket) is retried; a service that vanished meanwhile is dropped.
    func fillRealServers(_ services: inout [VirtualServerState]) throws {
        var remaining = Array(services.indices)
        var vanished: Set<Int> = []
        var round = 0
        while !remaining.isEmpty {
            let indices = remaining
            let errors = try exchange(count: indices.count, window: dumpWindow, slot: 32 << 10) { i, seq, encoder in
                IPVSMessages.encodeServiceQuery(
                    UInt8(IPVS_CMD_GET_DEST), key: services[indices[i]].server.key, flags: IPVSMessages.dump,
                    family: family, sequence: seq, into: &encoder)
            } onData: { i, attributes in
                let serviceIndex = indices[i]
                if let nest = attributes.nested(UInt16(IPVS_CMD_ATTR_DEST)),
                    let real = IPVSMessages.decodeDestination(nest, family: services[serviceIndex].server.key.family)
                {
                    services[serviceIndex].realServers.append(real)
                }
            }
            remaining = []
            for (i, code) in errors.enumerated() where code != 0 {
                let serviceIndex = indices[i]
                switch code {
                case EBUSY where round < 8:
                    services[serviceIndex].realServers = []
                    remaining.append(serviceIndex)
                case ESRCH, ENOENT:
                    vanished.insert(serviceIndex)
                default:
                    throw IPVSError.kernel(
                        errno: code, request: "list real servers of \(services[serviceIndex].server.key)")
                }
            }
            round += 1
        }
        if !vanished.isEmpty {
            services = services.enumerated().filter { !vanished.contains($0.offset) }.map(\.element)
        }
    }
}
