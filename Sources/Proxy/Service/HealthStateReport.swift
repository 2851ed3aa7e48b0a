import Foundation

/// What the running proxy knows of its health checks, as written to the state file (`--health-state-file`,
/// default `/run/ipvs-proxy/health.json`) for `ipvs-proxy status`. Only unhealthy endpoints are listed, so the file
/// stays small at any scale.
public struct HealthStateReport: Codable, Sendable, Hashable {
    /// One unhealthy endpoint.
    public struct Endpoint: Codable, Sendable, Hashable {
        /// Its address.
        public var address: String
        /// Its port.
        public var port: UInt16
        /// The probe ("tcp", "http", "udp").
        public var probe: String
        /// The last failure, as the probe saw it.
        public var reason: String?
        /// When it went down (seconds since 1970), as this proxy saw it.
        public var since: Double?
        /// The Services (namespace/name) using it.
        public var services: [String]
    }

    /// One health-checked Service.
    public struct ServiceHealth: Codable, Sendable, Hashable {
        /// namespace/name.
        public var service: String
        /// Probed endpoints that are up.
        public var healthy: Int
        /// Probed endpoints that are down.
        public var unhealthy: Int
        /// Virtual servers kept with all their real servers down (fail open).
        public var failedOpen: Int
    }

    /// When it was written (seconds since 1970).
    public var written: Double
    /// Endpoints probed.
    public var probed: Int
    /// Health-checked Services.
    public var services: [ServiceHealth]
    /// Unhealthy endpoints.
    public var unhealthy: [Endpoint]

    /// A report.
    public init(written: Double, probed: Int, services: [ServiceHealth], unhealthy: [Endpoint]) {
        self.written = written
        self.probed = probed
        self.services = services
        self.unhealthy = unhealthy
    }

    /// Writes it as JSON, atomically (write then rename), creating the directory.
    public func write(to path: String) throws {
        try StateFileJSON.write(self, to: path)
    }

    /// Reads one written by `write(to:)`.
    public static func read(from path: String) throws -> HealthStateReport {
        try JSONDecoder().decode(HealthStateReport.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
