import Values
import Foundation
import IPVS
import Proxy

/// Renders the IPVS table for `ipvs-proxy status`: ipvsadm's column layout, or JSON.
enum StatusFormatter {
    static func header(_ version: IPVSVersion) -> String {
        "IP Virtual Server version \(version) (size=\(version.connectionTableSize))\n"
    }

    /// "TCP  10.0.0.1:80" / "SCTP 10.0.0.1:80" / "FWM  7" as ipvsadm names a virtual server (protocol padded to 4).
    static func name(_ key: VirtualServerKey) -> String {
        switch key {
        case .service(let proto, let address, let port): pad("\(proto)", 4) + " " + address.withPort(port)
        case .firewallMark(let mark, let family): family == .ipv4 ? "FWM  \(mark)" : "FWM  \(mark) IPv6"
        }
    }

    /// Real servers in ipvsadm's order: by address, then port.
    static func sorted(_ reals: [RealServerState]) -> [RealServerState] {
        reals.sorted { $0.server.endpoint < $1.server.endpoint }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func right(_ value: UInt64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// The scheduler and flags part of a service line ("rr persistent 300 mask 255.255.255.0 ops").
    static func options(_ server: VirtualServer) -> String {
        var parts = [server.scheduler.rawValue]
        let schedulerFlags = server.flags.schedulerFlagNames(scheduler: server.scheduler)
        if !schedulerFlags.isEmpty { parts.append("(" + schedulerFlags.joined(separator: ",") + ")") }
        if let persistence = server.persistence {
            parts.append("persistent \(persistence.timeout)")
            switch server.key.family {
            case .ipv4 where persistence.prefixLength < 32:
                let mask = persistence.prefixLength == 0 ? 0 : UInt32.max << (32 - UInt32(persistence.prefixLength))
                parts.append("mask \(IPv4Address(mask))")
            case .ipv6 where persistence.prefixLength < 128:
                parts.append("mask \(persistence.prefixLength)")
            default: break
            }
        }
        if server.flags.contains(.onePacket) { parts.append("ops") }
        return parts.joined(separator: " ")
    }

    /// Like `ipvsadm -Ln`; with `names`, each virtual server line ends with its Service port
    /// (`namespace/name:port`, or `-` when no Service of the proxy's claims it) and each real server line with
    /// the Pod behind it.
    static func table(version: IPVSVersion, table: [VirtualServerState], names: ServiceMap? = nil) -> String {
        var out = header(version)
        out += "Prot LocalAddress:Port Scheduler Flags" + (names == nil ? "" : "  Service") + "\n"
        out += "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn" + (names == nil ? "" : " Pod")
        out += "\n"
        for service in table {
            let key = service.server.key
            out += "\(name(key)) \(options(service.server))"
            if let names { out += "  " + (names.servicePorts[key]?.description ?? "-") }
            out += "\n"
            for real in sorted(service.realServers) {
                var line = "  -> " + pad(real.server.endpoint.description, 28) + " " + pad("\(real.server.forwarding)", 7)
                line += " " + pad("\(real.server.weight)", 6) + " " + pad("\(real.activeConnections)", 10)
                line += " " + pad("\(real.inactiveConnections)", 10)
                if let names {
                    line += names.targets[key]?[real.server.endpoint] ?? "-"
                }
                out += line + "\n"
            }
        }
        return out
    }

    /// Like `ipvsadm -Ln --stats --exact`.
    static func counters(version: IPVSVersion, table: [VirtualServerState]) -> String {
        columns(version, table, titles: ["Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"]) { stats in
            [stats.connections, stats.inPackets, stats.outPackets, stats.inBytes, stats.outBytes]
        }
    }

    /// Like `ipvsadm -Ln --rate --exact`.
    static func rates(version: IPVSVersion, table: [VirtualServerState]) -> String {
        columns(version, table, titles: ["CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"]) { stats in
            [stats.connectionRate, stats.inPacketRate, stats.outPacketRate, stats.inByteRate, stats.outByteRate]
        }
    }

    static func columns(
        _ version: IPVSVersion, _ table: [VirtualServerState], titles: [String], values: (Statistics) -> [UInt64]
    ) -> String {
        var out = header(version)
        out += pad("Prot LocalAddress:Port", 33) + titles.map { " " + String(repeating: " ", count: 8 - $0.count) + $0 }
            .joined() + "\n"
        out += "  -> RemoteAddress:Port\n"
        for service in table {
            out += pad(name(service.server.key), 33) + values(service.statistics).map { " " + right($0, 8) }.joined()
            out += "\n"
            for real in sorted(service.realServers) {
                out += "  -> " + pad(real.server.endpoint.description, 28)
                out += values(real.statistics).map { " " + right($0, 8) }.joined() + "\n"
            }
        }
        return out
    }
}

extension StatusFormatter {
    /// The table as pretty-printed JSON.
    static func json(
        version: IPVSVersion, table: [VirtualServerState], names: ServiceMap? = nil, health: HealthStateReport? = nil,
        diagnostics: [ServiceDiagnostic]? = nil
    ) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let report = StatusReport(
            version: version, table: table, names: names, health: health, diagnostics: diagnostics)
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
