import Values
import Health
import IPVS
import Kube

/// Turns one Service and its EndpointSlices into virtual servers, the addresses to bind, and diagnostics. Pure.
///
/// - One virtual server per Service port and per VIP (each cluster IP, external IP and VIP-mode load-balancer
///   ingress IP), plus one per node address for NodePorts, for the port's protocol. Only for the Service's
///   families (those of its cluster IPs, or every family for a manifest Service without one), as kube-proxy
///   programs each family only for Services of that family: an external or load-balancer IP of another family is
///   reported and left alone, and NodePorts are served on the node addresses of the Service's families.
/// - Real servers: the endpoints of the Service's slices (same namespace, `kubernetes.io/service-name`) of the
///   VIP's family, on the slice port of the same name and protocol; masquerading, weight 1; chosen as kube-proxy
///   chooses them (``EndpointSelection``): traffic policy `Local` (`internalTrafficPolicy` for cluster IPs,
///   `externalTrafficPolicy` for the rest) keeps this node's endpoints, falling back to the cluster's when this
///   node has none; cluster endpoints follow the slices' topology hints (``TopologyMode``).
/// - What the kernel would refuse is checked before anything is sent, and reported as a diagnostic naming the
///   object and field: an endpoint address that cannot be a real server (``EndpointAddressProblem``) is left out;
///   a persistence prefix length a family does not take falls back to that family's default.
/// - Health checks (``healthCheck(of:defaults:)``) follow the operator's policy: annotations count only when
///   allowed, and probes go only to endpoint addresses inside the health-check CIDRs.
/// - kube-router's annotations (``KubeRouterAnnotations``) are applied first: `service.local` and
///   `service.skiplbips` change the Service as served, `service.dsr` is reported as unsupported.
/// - Nothing for headless and ExternalName Services, nor for those whose `service.kubernetes.io/service-proxy-name`
///   does not name this proxy.
public enum ServiceTranslator {
    /// What one Service contributes to the desired state.
    public struct Output: Sendable, Hashable {
        /// Its virtual servers.
        public var virtualServers: [DesiredVirtualServer] = []
        /// The addresses it needs bound on the dummy link.
        public var boundAddresses: Set<IPAddress> = []
        /// What was wrong with it and worked around.
        public var diagnostics: [ServiceDiagnostic] = []
        /// How its real servers are health-checked; nil when they are not.
        public var health: ServiceHealthCheck?
        /// Every endpoint to probe, with its probe: the real servers of probed virtual servers.
        public var healthTargets: Set<HealthTarget> = []
        /// The probe of each probed virtual server's real servers.
        public var probes: [VirtualServerKey: HealthProbe] = [:]
        /// Its health-check node port, when it needs one (``HealthCheckNodePort``).
        public var healthCheckNodePort: HealthCheckNodePort?
        /// The name of the port ("" when unnamed) each virtual server serves.
        public var portNames: [VirtualServerKey: String] = [:]
    }

    /// The Service's contribution, given all of its EndpointSlices.
    public static func translate(
        _ service: ValidatedService,
        slices: some Collection<ValidatedEndpointSlice>,
        configuration: ProxyConfiguration
    ) -> Output {
        var output = Output()
        guard service.serviceProxyName == configuration.proxyName, !service.isHeadless,
            service.type != .externalName
        else { return output }

        let (service, kubeRouterDiagnostics) = KubeRouterAnnotations.apply(to: service)
        let (scheduler, flags, persistence, diagnostics) = settings(of: service, configuration: configuration)
        output.diagnostics = kubeRouterDiagnostics + diagnostics
        let (health, healthDiagnostics) = healthCheck(of: service, defaults: configuration.health)
        output.diagnostics += healthDiagnostics
        output.health = health
        let (usable, endpointDiagnostics) = usableSlices(slices, service: service, proxyName: configuration.proxyName)
        output.diagnostics += endpointDiagnostics
        let clusterIPs = service.clusterIPs
        let served = servedFamilies(of: service)
        let externals = (service.externalIPs + service.loadBalancerIngressIPs).filter { served.contains($0.family) }
        output.healthCheckNodePort = HealthCheckNodePort.of(
            service, slices: usable, families: served, nodeName: configuration.nodeName)
        output.diagnostics += otherFamilyDiagnostics(service, served: served)
        var families: Set<AddressFamily> = []
        var unprobed: Set<IPAddress> = []
        output.boundAddresses.formUnion(clusterIPs)
        output.boundAddresses.formUnion(externals.filter { !configuration.otherInterfaceAddresses.contains($0) })

        let (sourceRanges, rangeDiagnostics) = sourceRanges(
            of: service, nodeAddresses: configuration.otherInterfaceAddresses)
        output.diagnostics += rangeDiagnostics
        let healthCheckNodePort = service.needsHealthCheckNodePort ? service.healthCheckNodePort : nil
        let loadBalancerIPs = Set(service.loadBalancerIngressIPs)

        var produced: [VirtualServerKey: (index: Int, field: String)] = [:]
        for (portIndex, port) in service.ports.enumerated() {
            let proto = IPVSProtocol(port.protocol)
            let external = service.externalTrafficPolicy
            var targets: [(IPAddress, UInt16, TrafficPolicy, VirtualServerRole)] = clusterIPs.map {
                ($0, port.port, service.internalTrafficPolicy, .clusterIP)
            }
            targets += externals.map { ($0, port.port, external, .external(external)) }
            let nodePort = (service.type == .nodePort || service.type == .loadBalancer) ? port.nodePort : nil
            if let nodePort {
                targets += configuration.nodePortAddresses.filter { served.contains($0.family) }.map {
                    ($0, nodePort, external, .nodePort(external))
                }
            }
            var selections: [AddressFamily: EndpointSelection] = [:]
            for family in served {
                let usesCluster = EndpointSelection.usesClusterEndpoints(
                    internalPolicy: service.internalTrafficPolicy,
                    externallyAccessible: nodePort != nil || externals.contains { $0.family == family })
                selections[family] = EndpointSelection(
                    port: port, family: family, slices: usable, nodeName: configuration.nodeName,
                    zone: configuration.nodeZone, usesCluster: usesCluster)
            }
            for (address, servicePort, policy, role) in targets {
                families.insert(address.family)
                var server = VirtualServer(
                    key: .service(proto, address, port: servicePort),
                    scheduler: scheduler,
                    flags: flags
                )
                if let persistence {
                    server.persistence = Persistence(
                        timeout: persistence.timeout,
                        prefixLength: persistencePrefix(persistence.prefixLength, family: address.family),
                        family: address.family
                    )
                }
                let reals = selections[address.family]?.realServers(policy: policy) ?? []
                var wanted = DesiredVirtualServer(server: server, realServers: reals, role: role)
                wanted.healthCheckNodePort = healthCheckNodePort
                if case .external = role, loadBalancerIPs.contains(address) {
                    wanted.sourceRanges = sourceRanges[address.family]
                }
                let field = "spec.ports[\(portIndex)]"
                if let first = produced[server.key] {
                    // The first wins (cluster IPs, then external IPs, then load-balancer IPs, then node addresses).
                    if output.virtualServers[first.index] != wanted {
                        output.diagnostics.append(
                            ServiceDiagnostic(
                                code: .sharedVirtualServer, service: service.key.description, field: field,
                                message: "virtual server \(server.key) is also produced by \(first.field) with "
                                    + "other settings or real servers; the first is programmed"))
                    }
                    continue
                }
                produced[server.key] = (output.virtualServers.count, field)
                output.portNames[server.key] = port.name
                if let probe = health?.probe(for: proto) {
                    output.probes[server.key] = probe
                    for real in reals {
                        // Outside the operator's CIDRs: not probed, so never judged down; it stays as listed.
                        guard configuration.health.mayProbe(real.address) else {
                            unprobed.insert(real.address)
                            continue
                        }
                        output.healthTargets.insert(
                            HealthTarget(address: real.address, port: real.port, probe: probe)
                        )
                    }
                }
                output.virtualServers.append(wanted)
            }
        }
        output.diagnostics += unprobedDiagnostics(
            unprobed, slices: usable, service: service, health: configuration.health)
        if let diagnostic = persistencePrefixDiagnostic(persistence?.prefixLength, families: families, service: service)
        {
            output.diagnostics.append(diagnostic)
        }
        return output
    }
}
