import Kube

/// How a virtual server is reached, which decides whether its traffic is masqueraded (see `MasqueradePolicy`).
public enum VirtualServerRole: Sendable, Hashable {
    /// On a cluster IP, with the Service's `internalTrafficPolicy`.
    case clusterIP
    /// On an external or load-balancer ingress IP, with the Service's `externalTrafficPolicy`.
    case external(TrafficPolicy)
    /// On a node address and the port's NodePort, with the Service's `externalTrafficPolicy`.
    case nodePort(TrafficPolicy)
}
