import Values
import IPVS

@testable import Proxy

/// Short constructors for the planner's tables.
enum F {
    static func ip(_ text: String) -> IPAddress {
        guard let address = IPAddress(text) else { preconditionFailure("bad test address \(text)") }
        return address
    }

    static func prefix(_ text: String) -> AddressPrefix {
        guard let prefix = AddressPrefix(text) else { preconditionFailure("bad test prefix \(text)") }
        return prefix
    }

    static func key(_ proto: IPVSProtocol = .tcp, _ address: String, _ port: UInt16) -> VirtualServerKey {
        .service(proto, ip(address), port: port)
    }

    static func vs(_ key: VirtualServerKey, _ scheduler: Scheduler = "rr", persistence: Persistence? = nil)
        -> VirtualServer
    {
        VirtualServer(key: key, scheduler: scheduler, persistence: persistence)
    }

    static func rs(_ address: String, _ port: UInt16, weight: Int32 = 1) -> RealServer {
        RealServer(address: ip(address), port: port, weight: weight)
    }

    static func state(
        _ server: VirtualServer,
        _ reals: [RealServer],
        connections: [String: (active: UInt32, inactive: UInt32)] = [:]
    ) -> VirtualServerState {
        VirtualServerState(
            server: server,
            realServers: reals.map { real in
                let counts = connections[real.address.description] ?? (0, 0)
                return RealServerState(
                    server: real,
                    activeConnections: counts.active,
                    inactiveConnections: counts.inactive
                )
            }
        )
    }

    static let vip = "10.96.0.10"
    static let web = key(.tcp, vip, 80)
    static let dns = key(.udp, vip, 53)
    static let t0 = ContinuousClock.now
}
