import Kube

/// kube-router's Service annotations (pkg/controllers/proxy/network_services_controller.go), for its users moving
/// over: each is honoured where it maps onto what this proxy does, or reported on the Service as unsupported;
/// none is silently ignored.
///
/// | annotation | here |
/// | --- | --- |
/// | `kube-router.io/service.scheduler`, `service.schedflags` | honoured (``ServiceAnnotations``; ours win) |
/// | `kube-router.io/service.local: "true"` | honoured: `externalTrafficPolicy: Local` for the Service |
/// | `kube-router.io/service.skiplbips` | honoured: the load-balancer ingress IPs get no virtual server |
/// | `kube-router.io/service.hairpin`, `service.hairpin.externalips` | honoured: hairpin is always masqueraded here |
/// | `kube-router.io/service.dsr` | unsupported: reported; the Service is served with masquerading (NAT) |
public enum KubeRouterAnnotations {
    /// Direct server return over an IPIP tunnel (value `tunnel`).
    public static let dsr = "kube-router.io/service.dsr"
    /// `"true"`: external traffic goes only to this node's endpoints (kube-router keeps cluster-IP traffic Cluster).
    public static let local = "kube-router.io/service.local"
    /// Any value: hairpin traffic (a pod reaching itself through the Service) is masqueraded.
    public static let hairpin = "kube-router.io/service.hairpin"
    /// Any value: hairpin traffic through the external IPs is masqueraded too.
    public static let hairpinExternalIPs = "kube-router.io/service.hairpin.externalips"
    /// Any value: no virtual server for the load-balancer ingress IPs.
    public static let skipLoadBalancerIPs = "kube-router.io/service.skiplbips"

    /// The Service as this proxy serves it once kube-router's annotations are applied, and what is reported:
    /// `service.local: "true"` makes `externalTrafficPolicy` Local (the cluster-IP policy is the Service's own, as
    /// kube-proxy reads it; kube-router forces Cluster there), `service.skiplbips` drops the load-balancer ingress
    /// IPs, `service.dsr` is reported as unsupported. Pure.
    public static func apply(to service: ValidatedService) -> (ValidatedService, [ServiceDiagnostic]) {
        var effective = service
        var diagnostics: [ServiceDiagnostic] = []
        let name = service.key.description
        func field(_ key: String) -> String { "metadata.annotations[\(key)]" }

        if let value = service.annotations[local] {
            switch value.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true": effective.externalTrafficPolicy = .local
            case "false", "": break
            default:
                diagnostics.append(
                    ServiceDiagnostic(
                        code: .badAnnotation, service: name, field: field(local),
                        message: "\"\(value)\" is not true or false; ignored (kube-router acts only on \"true\")"))
            }
        }
        if service.annotations[skipLoadBalancerIPs] != nil {
            effective.loadBalancerIngressIPs = []
        }
        if let value = service.annotations[dsr] {
            diagnostics.append(
                ServiceDiagnostic(
                    code: .unsupportedAnnotation, service: name, field: field(dsr),
                    message: "direct server return (\"\(value)\") is not supported: it needs kube-router's tunnel "
                        + "interface inside each endpoint's network namespace, which ipvs-proxy does not create; "
                        + "the external and load-balancer IPs are served with masquerading (NAT) instead"))
        }
        // service.hairpin and service.hairpin.externalips ask for what this proxy always does (the hairpin rule of
        // the masquerading ruleset covers every endpoint, whatever address reached it): nothing to change or report.
        return (effective, diagnostics)
    }
}
