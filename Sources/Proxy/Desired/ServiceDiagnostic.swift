/// Something wrong with one Service that the proxy worked around: it names the Service and the field, and says
/// what was done instead. The Service's other virtual servers, and every other Service, are still programmed.
public struct ServiceDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The requested scheduler is unknown or not offered by this kernel; the default is used.
        case unsupportedScheduler
        /// An annotation's value could not be used; it is ignored.
        case badAnnotation
        /// An annotation asks for something this proxy does not do (kube-router's `service.dsr`); the Service is
        /// served without it.
        case unsupportedAnnotation
        /// An endpoint address the kernel refuses as a real server (or the API server refuses in an
        /// EndpointSlice): multicast, broadcast, unspecified, loopback, link-local; the endpoint is left out.
        case refusedEndpoint
        /// An external or load-balancer IP of an address family the Service has no cluster IP of: it is not
        /// served (kube-proxy serves a family only for Services of that family).
        case otherFamily
        /// The kernel refused an operation on one of the Service's virtual servers; it is retried with backoff.
        case kernelRefused
        /// Another Service (or another of this Service's ports) wants the same virtual server and takes precedence;
        /// the virtual server has the other's settings and real servers.
        case sharedVirtualServer
        /// The virtual server exists in the kernel and belongs to another program (keepalived, a hand-made one):
        /// it is left as it is (`--adopt` takes it over).
        case heldByAnotherProgram
        /// Annotations the operator's policy does not let a Service use (`--health-check-annotations=deny`, or
        /// health checks by annotation with no CIDRs named to probe in); they are ignored. Logged as a notice.
        case ignoredByPolicy
        /// A `loadBalancerSourceRanges` entry that is not a CIDR: left out, the other ranges still apply (with none
        /// valid, the load-balancer IPs admit no client).
        case badSourceRange
        /// Endpoint addresses outside the health-check CIDRs: not probed, left in the real servers as listed.
        case notProbed
        /// An EndpointSlice labelled `service.kubernetes.io/headless`, or for another service proxy
        /// (`service.kubernetes.io/service-proxy-name`), though its Service is neither: its endpoints are left out,
        /// as kube-proxy, which never lists such a slice, leaves them.
        case otherProxysSlice

        /// True for what the operator chose (a policy at work), false for what someone should fix.
        public var isPolicyNotice: Bool { self == .ignoredByPolicy }
    }

    /// The kind of problem.
    public var code: Code
    /// `namespace/name` of the Service.
    public var service: String
    /// The field or annotation, e.g. `metadata.annotations[ipvs-proxy.io/scheduler]`.
    public var field: String
    /// What was wrong and what was done.
    public var message: String

    /// A diagnostic.
    public init(code: Code, service: String, field: String, message: String) {
        self.code = code
        self.service = service
        self.field = field
        self.message = message
    }

    public var description: String { "services/\(service): \(field): \(message)" }
}
