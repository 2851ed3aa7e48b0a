import CNetlink
import Glibc

extension IPVSNetlinkClient {
    public func virtualServers() throws -> [VirtualServerState] {
        var services: [VirtualServerState] = []
        let code = try request { seq, encoder in
            IPVSMessages.encodeCommand(
                UInt8(IPVS_CMD_GET_SERVICE), flags: IPVSMessages.dump, family: family, sequence: seq, into: &encoder)
        } onData: { attributes in
            if let nest = attributes.nested(UInt16(IPVS_CMD_ATTR_SERVICE)),
                let service = IPVSMessages.decodeService(nest)
            {
                services.append(service)
            }
        }
        if code != 0 { throw IPVSError.kernel(errno: code, request: "list virtual servers") }
        try fillRealServers(&services)
        return services
    }

    /// One virtual server, read as ``virtualServers(_:)`` reads several.
    public func virtualServer(_ key: VirtualServerKey) throws -> VirtualServerState? {
        try virtualServers([key]).first ?? nil
    }

    /// These virtual servers with their real servers: the services asked for together (pipelined, as operations
    /// are), then their real servers one dump after another (``fillRealServers(_:)``). What a periodic resync reads
    /// a slice at a time.
    public func virtualServers(_ keys: [VirtualServerKey]) throws -> [VirtualServerState?] {
        var found: [VirtualServerState?] = Array(repeating: nil, count: keys.count)
        let errnos = try connection.exchange(
            count: keys.count, window: window, slot: Self.replySlot, busyRetries: Self.busyRetries
        ) { index, seq, encoder in
            IPVSMessages.encodeServiceQuery(
                UInt8(IPVS_CMD_GET_SERVICE), key: keys[index], flags: IPVSMessages.ack, family: family,
                sequence: seq, into: &encoder)
        } onReply: { index, message in
            if let nest = attributes(of: message)?.nested(UInt16(IPVS_CMD_ATTR_SERVICE)),
                let service = IPVSMessages.decodeService(nest)
            {
                found[index] = service
            }
        } willRetry: { index in
            found[index] = nil
        }
        for (index, code) in errnos.enumerated() where code != 0 && code != ESRCH && code != ENOENT {
            throw IPVSError.kernel(errno: code, request: "get virtual server \(keys[index])")
        }
        var services = found.compactMap { $0 }
        try fillRealServers(&services)
        let byKey = Dictionary(services.map { ($0.server.key, $0) }, uniquingKeysWith: { first, _ in first })
        return keys.map { byKey[$0] }
    }

    /// Dumps the real servers of every service, one dump in flight at a time (see `dumpWindow`). A dump the
    /// kernel refuses as busy (another still running on this socket) is retried; a service that vanished
    /// meanwhile is dropped.
    func fillRealServers(_ services: inout [VirtualServerState]) throws {
        let errnos = try connection.exchange(
            count: services.count, window: dumpWindow, slot: Self.replySlot, busyRetries: Self.busyRetries
        ) { index, seq, encoder in
            IPVSMessages.encodeServiceQuery(
                UInt8(IPVS_CMD_GET_DEST), key: services[index].server.key, flags: IPVSMessages.dump, family: family,
                sequence: seq, into: &encoder)
        } onReply: { index, message in
            if let nest = attributes(of: message)?.nested(UInt16(IPVS_CMD_ATTR_DEST)),
                let real = IPVSMessages.decodeDestination(nest, family: services[index].server.key.family)
            {
                services[index].realServers.append(real)
            }
        } willRetry: { index in
            services[index].realServers = []
        }
        var vanished: Set<Int> = []
        for (index, code) in errnos.enumerated() where code != 0 {
            switch code {
            case ESRCH, ENOENT:
                vanished.insert(index)
            default:
                throw IPVSError.kernel(errno: code, request: "list real servers of \(services[index].server.key)")
            }
        }
        if !vanished.isEmpty {
            services = services.enumerated().filter { !vanished.contains($0.offset) }.map(\.element)
        }
    }
}
