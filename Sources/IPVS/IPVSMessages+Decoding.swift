import Values
import CNetlink

extension IPVSMessages {
    /// Reads a nested IPVS_CMD_ATTR_SERVICE (as dumps and GET_SERVICE return it); nil when a key part is missing.
    static func decodeService(_ attributes: NetlinkAttributes) -> VirtualServerState? {
        guard let afValue = attributes.u16(UInt16(IPVS_SVC_ATTR_AF)),
            let family = AddressFamily(kernelValue: afValue)
        else { return nil }
        let key: VirtualServerKey
        if let mark = attributes.u32(UInt16(IPVS_SVC_ATTR_FWMARK)), mark != 0 {
            key = .firewallMark(mark, family: family)
        } else {
            guard let protoValue = attributes.u16(UInt16(IPVS_SVC_ATTR_PROTOCOL)),
                let proto = IPVSProtocol(kernelValue: protoValue),
                let raw = attributes[UInt16(IPVS_SVC_ATTR_ADDR)],
                let address = IPAddress(raw: raw, family: family),
                let port = attributes.be16(UInt16(IPVS_SVC_ATTR_PORT))
            else { return nil }
            key = .service(proto, address, port: port)
        }
        var flags: UInt32 = 0
        if let raw = attributes[UInt16(IPVS_SVC_ATTR_FLAGS)], raw.count >= 4 {
            flags = raw.loadUnaligned(as: UInt32.self)
        }
        var persistence: Persistence?
        if flags & ServiceFlags.persistentBit != 0 {
            let netmask = attributes.u32(UInt16(IPVS_SVC_ATTR_NETMASK)) ?? UInt32.max
            persistence = Persistence(
                timeout: attributes.u32(UInt16(IPVS_SVC_ATTR_TIMEOUT)) ?? 0,
                prefixLength: prefixLength(netmask: netmask, family: family),
                family: family
            )
        }
        let server = VirtualServer(
            key: key,
            scheduler: Scheduler(attributes.string(UInt16(IPVS_SVC_ATTR_SCHED_NAME)) ?? ""),
            flags: ServiceFlags(rawValue: flags & ServiceFlags.settable),
            persistence: persistence
        )
        return VirtualServerState(server: server, statistics: decodeStatistics(attributes, svc: true))
    }

    /// Reads a nested IPVS_CMD_ATTR_DEST; `family` is the virtual server's, used when the kernel omits
    /// IPVS_DEST_ATTR_ADDR_FAMILY (before Linux 4.x).
    static func decodeDestination(_ attributes: NetlinkAttributes, family: AddressFamily) -> RealServerState? {
        let destFamily =
            attributes.u16(UInt16(IPVS_DEST_ATTR_ADDR_FAMILY)).flatMap { AddressFamily(kernelValue: $0) } ?? family
        guard let raw = attributes[UInt16(IPVS_DEST_ATTR_ADDR)],
            let address = IPAddress(raw: raw, family: destFamily),
            let port = attributes.be16(UInt16(IPVS_DEST_ATTR_PORT))
        else { return nil }
        let server = RealServer(
            address: address,
            port: port,
            weight: Int32(bitPattern: attributes.u32(UInt16(IPVS_DEST_ATTR_WEIGHT)) ?? 0),
            forwarding: ForwardingMethod(kernelValue: attributes.u32(UInt16(IPVS_DEST_ATTR_FWD_METHOD)) ?? 0)
                ?? .masquerade,
            upperThreshold: attributes.u32(UInt16(IPVS_DEST_ATTR_U_THRESH)) ?? 0,
            lowerThreshold: attributes.u32(UInt16(IPVS_DEST_ATTR_L_THRESH)) ?? 0
        )
        return RealServerState(
            server: server,
            activeConnections: attributes.u32(UInt16(IPVS_DEST_ATTR_ACTIVE_CONNS)) ?? 0,
            inactiveConnections: attributes.u32(UInt16(IPVS_DEST_ATTR_INACT_CONNS)) ?? 0,
            persistentConnections: attributes.u32(UInt16(IPVS_DEST_ATTR_PERSIST_CONNS)) ?? 0,
            statistics: decodeStatistics(attributes, svc: false)
        )
    }

    /// Statistics from the STATS64 nest when the kernel sends it (Linux 4.x+), else the 32-bit STATS nest.
    static func decodeStatistics(_ attributes: NetlinkAttributes, svc: Bool) -> Statistics {
        let stats64 = UInt16(svc ? IPVS_SVC_ATTR_STATS64 : IPVS_DEST_ATTR_STATS64)
        let stats32 = UInt16(svc ? IPVS_SVC_ATTR_STATS : IPVS_DEST_ATTR_STATS)
        var out = Statistics()
        if let nest = attributes.nested(stats64) {
            func get(_ type: Int) -> UInt64 { nest.u64(UInt16(type)) ?? 0 }
            out.connections = get(Int(IPVS_STATS_ATTR_CONNS))
            out.inPackets = get(Int(IPVS_STATS_ATTR_INPKTS))
            out.outPackets = get(Int(IPVS_STATS_ATTR_OUTPKTS))
            out.inBytes = get(Int(IPVS_STATS_ATTR_INBYTES))
            out.outBytes = get(Int(IPVS_STATS_ATTR_OUTBYTES))
            out.connectionRate = get(Int(IPVS_STATS_ATTR_CPS))
            out.inPacketRate = get(Int(IPVS_STATS_ATTR_INPPS))
            out.outPacketRate = get(Int(IPVS_STATS_ATTR_OUTPPS))
            out.inByteRate = get(Int(IPVS_STATS_ATTR_INBPS))
            out.outByteRate = get(Int(IPVS_STATS_ATTR_OUTBPS))
        } else if let nest = attributes.nested(stats32) {
            func get32(_ type: Int) -> UInt64 { UInt64(nest.u32(UInt16(type)) ?? 0) }
            out.connections = get32(Int(IPVS_STATS_ATTR_CONNS))
            out.inPackets = get32(Int(IPVS_STATS_ATTR_INPKTS))
            out.outPackets = get32(Int(IPVS_STATS_ATTR_OUTPKTS))
            out.inBytes = nest.u64(UInt16(IPVS_STATS_ATTR_INBYTES)) ?? 0
            out.outBytes = nest.u64(UInt16(IPVS_STATS_ATTR_OUTBYTES)) ?? 0
            out.connectionRate = get32(Int(IPVS_STATS_ATTR_CPS))
            out.inPacketRate = get32(Int(IPVS_STATS_ATTR_INPPS))
            out.outPacketRate = get32(Int(IPVS_STATS_ATTR_OUTPPS))
            out.inByteRate = get32(Int(IPVS_STATS_ATTR_INBPS))
            out.outByteRate = get32(Int(IPVS_STATS_ATTR_OUTBPS))
        }
        return out
    }
}
