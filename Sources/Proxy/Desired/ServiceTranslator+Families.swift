import Values
import Kube

extension ServiceTranslator {
    /// The address families a Service is programmed for: those of its cluster IPs, as kube-proxy runs one proxier
    /// per family and each skips a Service without a cluster IP of its family. A manifest Service may give no
    /// cluster IP (NodePorts or external IPs only): it is served in every family.
    static func servedFamilies(of service: ValidatedService) -> Set<AddressFamily> {
        let families = Set(service.clusterIPs.map(\.family))
        return families.isEmpty ? Set(AddressFamily.allCases) : families
    }

    /// One diagnostic per field naming the external and load-balancer IPs of a family the Service is not
    /// programmed for: they get no virtual server and are not bound.
    static func otherFamilyDiagnostics(_ service: ValidatedService, served: Set<AddressFamily>) -> [ServiceDiagnostic] {
        let fields = [
            ("spec.externalIPs", service.externalIPs),
            ("status.loadBalancer.ingress[].ip", service.loadBalancerIngressIPs),
        ]
        return fields.compactMap { field, addresses in
            let other = addresses.filter { !served.contains($0.family) }
            guard let family = other.first?.family else { return nil }
            let has = served.map(\.description).sorted().joined(separator: " and ")
            return ServiceDiagnostic(
                code: .otherFamily, service: service.key.description, field: field,
                message: "\(list(other)) \(other.count == 1 ? "is" : "are") \(family) but the Service's cluster IPs"
                    + " are \(has) only; not served (as kube-proxy, which serves a family only for Services of it)")
        }
    }
}
