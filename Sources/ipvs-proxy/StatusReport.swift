import Foundation
import IPVS
import Kube
import Proxy

/// The JSON shape of `ipvs-proxy status --json`.
struct StatusReport: Codable {
    struct Counters: Codable {
        var connections, inPackets, outPackets, inBytes, outBytes: UInt64
        var connectionRate, inPacketRate, outPacketRate, inByteRate, outByteRate: UInt64

        init(_ stats: Statistics) {
            connections = stats.connections
            inPackets = stats.inPackets
            outPackets = stats.outPackets
            inBytes = stats.inBytes
            outBytes = stats.outBytes
            connectionRate = stats.connectionRate
            inPacketRate = stats.inPacketRate
            outPacketRate = stats.outPacketRate
            inByteRate = stats.inByteRate
            outByteRate = stats.outByteRate
        }
    }

    struct Real: Codable {
        var address: String
        var port: UInt16
        var forwarding: String
        var weight: Int32
        var upperThreshold, lowerThreshold: UInt32
        var activeConnections, inactiveConnections, persistentConnections: UInt32
        var statistics: Counters
        /// The Pod behind it (with `status --manifests/--kubeconfig`).
        var target: String?
    }

    struct Virtual: Codable {
        var family: String
        var `protocol`: String?
        var address: String?
        var port: UInt16?
        var firewallMark: UInt32?
        var scheduler: String
        var flags: [String]
        var persistenceTimeout: UInt32?
        var persistencePrefixLength: UInt8?
        var statistics: Counters
        var realServers: [Real]
        /// `namespace/name:port` of the Service port it serves (with `status --manifests/--kubeconfig`).
        var service: String?
    }

    var version: String
    var connectionTableSize: UInt32
    var virtualServers: [Virtual]
    /// The running proxy's health state file, when there is one.
    var health: HealthStateReport?
    /// The Services' problems, as the proxy logs them and records them as Events (with a source).
    var diagnostics: [Diagnostic]?

    /// A Service's problem, with the Event reason and type it is recorded under.
    struct Diagnostic: Codable {
        var service: String
        var code: String
        var reason: String
        var type: String
        var field: String
        var message: String

        init(_ diagnostic: ServiceDiagnostic) {
            service = diagnostic.service
            code = diagnostic.code.rawValue
            reason = diagnostic.code.eventReason
            type = diagnostic.code.eventType.rawValue
            field = diagnostic.field
            message = diagnostic.message
        }
    }

    init(
        version: IPVSVersion, table: [VirtualServerState], names: ServiceMap? = nil, health: HealthStateReport? = nil,
        diagnostics: [ServiceDiagnostic]? = nil
    ) {
        self.health = health
        self.diagnostics = diagnostics?.map(Diagnostic.init)
        self.version = version.description
        connectionTableSize = version.connectionTableSize
        virtualServers = table.map { state in
            let server = state.server
            var virtual = Virtual(
                family: server.key.family.description, scheduler: server.scheduler.rawValue, flags: [],
                persistenceTimeout: server.persistence?.timeout,
                persistencePrefixLength: server.persistence?.prefixLength,
                statistics: Counters(state.statistics),
                realServers: state.realServers.map { real in
                    Real(
                        address: real.server.address.description, port: real.server.port,
                        forwarding: real.server.forwarding.rawValue, weight: real.server.weight,
                        upperThreshold: real.server.upperThreshold, lowerThreshold: real.server.lowerThreshold,
                        activeConnections: real.activeConnections, inactiveConnections: real.inactiveConnections,
                        persistentConnections: real.persistentConnections, statistics: Counters(real.statistics),
                        target: names?.targets[server.key]?[real.server.endpoint])
                },
                service: names?.servicePorts[server.key]?.description)
            switch server.key {
            case .service(let proto, let address, let port):
                virtual.protocol = proto.rawValue
                virtual.address = address.description
                virtual.port = port
            case .firewallMark(let mark, _):
                virtual.firewallMark = mark
            }
            if server.flags.contains(.onePacket) { virtual.flags.append("one-packet") }
            virtual.flags += server.flags.schedulerFlagNames(scheduler: server.scheduler)
            if server.persistence != nil { virtual.flags.append("persistent") }
            return virtual
        }
    }
}
