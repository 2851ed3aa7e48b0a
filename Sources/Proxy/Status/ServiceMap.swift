import Values
import IPVS
import Kube

/// Who stands behind the kernel's table: for each virtual server the Service port it serves, and for each of its
/// real servers the object (the Pod) behind the endpoint. Built from the same cluster view as the desired state,
/// so `ipvs-proxy status` can print `namespace/service:port` and pod names next to what the kernel holds. Pure.
public struct ServiceMap: Sendable, Hashable {
    /// A Service port: `namespace/name:port`.
    public struct ServicePort: Sendable, Hashable, Comparable, CustomStringConvertible {
        /// The Service.
        public var service: ObjectKey
        /// The port's name (empty for a single unnamed port).
        public var port: String

        /// A Service port.
        public init(service: ObjectKey, port: String) {
            self.service = service
            self.port = port
        }

        /// `namespace/name:port`, or `namespace/name` for an unnamed port.
        public var description: String { port.isEmpty ? "\(service)" : "\(service):\(port)" }

        public static func < (lhs: ServicePort, rhs: ServicePort) -> Bool {
            (lhs.service, lhs.port) < (rhs.service, rhs.port)
        }
    }

    /// The Service port behind each virtual server.
    public private(set) var servicePorts: [VirtualServerKey: ServicePort] = [:]
    /// The name of the object (Pod) behind each real server of each virtual server, where the slice names one.
    public private(set) var targets: [VirtualServerKey: [RealServerEndpoint: String]] = [:]

    /// An empty map.
    public init() {}

    /// The map for everything `tracker` has seen.
    public init(tracker: DesiredStateTracker) {
        for entry in tracker.entries.values {
            guard let service = entry.service else { continue }
            add(service, slices: entry.slices, configuration: tracker.configuration)
        }
    }

    /// Adds one Service: each of its ports is translated alone, so every virtual server is traced to its port.
    mutating func add(
        _ service: ValidatedService, slices: [ValidatedEndpointSlice], configuration: ProxyConfiguration
    ) {
        for port in service.ports {
            var single = service
            single.ports = [port]
            let output = ServiceTranslator.translate(single, slices: slices, configuration: configuration)
            guard !output.virtualServers.isEmpty else { continue }
            var names: [RealServerEndpoint: String] = [:]
            for slice in slices {
                guard let slicePort = slice.ports.first(where: { $0.name == port.name && $0.protocol == port.protocol })
                else { continue }
                for endpoint in slice.endpoints {
                    guard let name = endpoint.targetName else { continue }
                    names[RealServerEndpoint(address: endpoint.address, port: slicePort.port)] = name
                }
            }
            let servicePort = ServicePort(service: service.key, port: port.name)
            for server in output.virtualServers {
                servicePorts[server.key] = servicePort
                // Every name of the port's slices, not only the desired real servers': a draining real server
                // that is still in the kernel keeps its name while its endpoint is listed.
                if !names.isEmpty { targets[server.key] = names }
            }
        }
    }
}
