import Values
import CNetlink

/// Encodes IPVS generic-netlink requests exactly as the kernel's uapi `linux/ip_vs.h` lays them out.
@_spi(Encoding)
public enum IPVSMessages {
    static let genlVersion = UInt8(IPVS_GENL_VERSION)
    static let request = UInt16(NLM_F_REQUEST)
    static let ack = UInt16(NLM_F_ACK)
    static let dump = UInt16(NLM_F_DUMP)

    /// Appends the request for `operation` (with NLM_F_ACK) to `encoder`.
    public static func encode(
        _ operation: IPVSOperation, family: UInt16, sequence: UInt32, into encoder: inout NetlinkEncoder
    ) {
        let command: Int32
        switch operation {
        case .addVirtualServer: command = Int32(IPVS_CMD_NEW_SERVICE)
        case .updateVirtualServer: command = Int32(IPVS_CMD_SET_SERVICE)
        case .deleteVirtualServer: command = Int32(IPVS_CMD_DEL_SERVICE)
        case .addRealServer: command = Int32(IPVS_CMD_NEW_DEST)
        case .updateRealServer: command = Int32(IPVS_CMD_SET_DEST)
        case .deleteRealServer: command = Int32(IPVS_CMD_DEL_DEST)
        }
        let start = encoder.beginMessage(type: family, flags: request | ack, sequence: sequence)
        encoder.genericHeader(command: UInt8(command), version: genlVersion)
        switch operation {
        case .addVirtualServer(let server), .updateVirtualServer(let server):
            encodeService(server.key, full: server, into: &encoder)
        case .deleteVirtualServer(let key):
            encodeService(key, full: nil, into: &encoder)
        case .addRealServer(let real, let key), .updateRealServer(let real, let key):
            encodeService(key, full: nil, into: &encoder)
            encodeDestination(real.endpoint, full: real, into: &encoder)
        case .deleteRealServer(let endpoint, let key):
            encodeService(key, full: nil, into: &encoder)
            encodeDestination(endpoint, full: nil, into: &encoder)
        }
        encoder.endMessage(start)
    }

    /// Appends a request with no attributes (`flags` beyond NLM_F_REQUEST as given).
    public static func encodeCommand(
        _ command: UInt8, flags: UInt16, family: UInt16, sequence: UInt32, into encoder: inout NetlinkEncoder
    ) {
        let start = encoder.beginMessage(type: family, flags: request | flags, sequence: sequence)
        encoder.genericHeader(command: command, version: genlVersion)
        encoder.endMessage(start)
    }

    /// Appends a request naming one virtual server: GET_SERVICE (one), or a GET_DEST dump of its real servers.
    public static func encodeServiceQuery(
        _ command: UInt8, key: VirtualServerKey, flags: UInt16, family: UInt16, sequence: UInt32,
        into encoder: inout NetlinkEncoder
    ) {
        let start = encoder.beginMessage(type: family, flags: request | flags, sequence: sequence)
        encoder.genericHeader(command: command, version: genlVersion)
        encodeService(key, full: nil, into: &encoder)
        encoder.endMessage(start)
    }

    /// Appends a SET_CONFIG request carrying the three timeouts (zero leaves one unchanged).
    public static func encodeSetTimeouts(
        _ timeouts: IPVSTimeouts, family: UInt16, sequence: UInt32, into encoder: inout NetlinkEncoder
    ) {
        let start = encoder.beginMessage(type: family, flags: request | ack, sequence: sequence)
        encoder.genericHeader(command: UInt8(IPVS_CMD_SET_CONFIG), version: genlVersion)
        encoder.attribute(UInt16(IPVS_CMD_ATTR_TIMEOUT_TCP), u32: timeouts.tcp)
        encoder.attribute(UInt16(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN), u32: timeouts.tcpFin)
        encoder.attribute(UInt16(IPVS_CMD_ATTR_TIMEOUT_UDP), u32: timeouts.udp)
        encoder.endMessage(start)
    }

    /// The nested IPVS_CMD_ATTR_SERVICE: the key, plus scheduler, flags, timeout and netmask when `full`.
    static func encodeService(_ key: VirtualServerKey, full: VirtualServer?, into encoder: inout NetlinkEncoder) {
        let nest = encoder.beginNested(UInt16(IPVS_CMD_ATTR_SERVICE))
        encoder.attribute(UInt16(IPVS_SVC_ATTR_AF), u16: key.family.kernelValue)
        switch key {
        case .service(let proto, let address, let port):
            encoder.attribute(UInt16(IPVS_SVC_ATTR_PROTOCOL), u16: proto.kernelValue)
            encoder.attribute(UInt16(IPVS_SVC_ATTR_ADDR), kernelAddress: address)
            encoder.attribute(UInt16(IPVS_SVC_ATTR_PORT), be16: port)
        case .firewallMark(let mark, _):
            encoder.attribute(UInt16(IPVS_SVC_ATTR_FWMARK), u32: mark)
        }
        if let server = full {
            encoder.attribute(UInt16(IPVS_SVC_ATTR_SCHED_NAME), string: server.scheduler.rawValue)
            var flags = server.flags.rawValue & ServiceFlags.settable
            if server.persistence != nil { flags |= ServiceFlags.persistentBit }
            encoder.attribute(UInt16(IPVS_SVC_ATTR_FLAGS), u32: flags, UInt32.max)
            encoder.attribute(UInt16(IPVS_SVC_ATTR_TIMEOUT), u32: server.persistence?.timeout ?? 0)
            encoder.attribute(
                UInt16(IPVS_SVC_ATTR_NETMASK),
                u32: netmask(prefixLength: server.persistence?.prefixLength, family: key.family)
            )
        }
        encoder.endNested(nest)
    }

    /// The nested IPVS_CMD_ATTR_DEST: address and port, plus the rest when `full`.
    static func encodeDestination(
        _ endpoint: RealServerEndpoint, full: RealServer?, into encoder: inout NetlinkEncoder
    ) {
        let nest = encoder.beginNested(UInt16(IPVS_CMD_ATTR_DEST))
        encoder.attribute(UInt16(IPVS_DEST_ATTR_ADDR), kernelAddress: endpoint.address)
        encoder.attribute(UInt16(IPVS_DEST_ATTR_PORT), be16: endpoint.port)
        if let real = full {
            encoder.attribute(UInt16(IPVS_DEST_ATTR_FWD_METHOD), u32: real.forwarding.kernelValue)
            encoder.attribute(UInt16(IPVS_DEST_ATTR_WEIGHT), u32: UInt32(bitPattern: real.weight))
            encoder.attribute(UInt16(IPVS_DEST_ATTR_U_THRESH), u32: real.upperThreshold)
            encoder.attribute(UInt16(IPVS_DEST_ATTR_L_THRESH), u32: real.lowerThreshold)
        }
        encoder.attribute(UInt16(IPVS_DEST_ATTR_ADDR_FAMILY), u16: endpoint.address.family.kernelValue)
        encoder.endNested(nest)
    }

    /// IPVS_SVC_ATTR_NETMASK as the kernel reads it: an IPv4 mask in network order, or an IPv6 prefix length.
    static func netmask(prefixLength: UInt8?, family: AddressFamily) -> UInt32 {
        switch family {
        case .ipv4:
            let length = min(UInt32(prefixLength ?? 32), 32)
            let mask: UInt32 = length == 0 ? 0 : UInt32.max << (32 - length)
            return mask.bigEndian
        case .ipv6:
            return UInt32(min(prefixLength ?? 128, 128))
        }
    }

    /// The prefix length for a netmask attribute (inverse of `netmask`).
    static func prefixLength(netmask: UInt32, family: AddressFamily) -> UInt8 {
        switch family {
        case .ipv4: UInt8((~UInt32(bigEndian: netmask)).leadingZeroBitCount)
        case .ipv6: UInt8(min(netmask, 128))
        }
    }
}
