/// core/v1 Service type.
public enum ServiceType: String, Sendable, Hashable, CaseIterable, Codable {
    /// Reachable on the cluster IP only.
    case clusterIP = "ClusterIP"
    /// Also on every node's node port.
    case nodePort = "NodePort"
    /// Also on the load balancer's ingress IPs.
    case loadBalancer = "LoadBalancer"
    /// A DNS alias: the proxy does nothing for it.
    case externalName = "ExternalName"
}
