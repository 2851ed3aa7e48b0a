import Kube
import Testing

@testable import Proxy

@Suite("Service annotations")
struct ServiceAnnotationsTests {
    /// A validated Service keeps only the annotations under Kube's kept prefixes: every one the proxy reads must be
    /// among them, or a Service's setting would be dropped before the translator sees it.
    @Test func everyAnnotationTheProxyReadsIsKept() {
        let read = [
            ServiceAnnotations.scheduler, ServiceAnnotations.kubeRouterScheduler, ServiceAnnotations.schedulerFlags,
            ServiceAnnotations.kubeRouterSchedulerFlags, ServiceAnnotations.persistenceNetmask,
            ServiceAnnotations.healthCheck, ServiceAnnotations.healthCheckInterval,
            ServiceAnnotations.healthCheckTimeout, ServiceAnnotations.healthCheckRise,
            ServiceAnnotations.healthCheckFall, ServiceAnnotations.healthCheckPath, ServiceAnnotations.healthCheckHost,
            ServiceAnnotations.healthCheckStatus, ServiceAnnotations.healthCheckUDPPayload,
            ServiceAnnotations.healthCheckUDPExpect, ServiceAnnotations.healthCheckAction,
            ServiceAnnotations.healthCheckAllDown, ServiceAnnotations.healthCheck + "-unknown",
            KubeRouterAnnotations.dsr, KubeRouterAnnotations.local, KubeRouterAnnotations.hairpin,
            KubeRouterAnnotations.hairpinExternalIPs, KubeRouterAnnotations.skipLoadBalancerIPs,
        ]
        for key in read { #expect(Service.keepsAnnotation(key), "\(key)") }
        #expect(!Service.keepsAnnotation("kubectl.kubernetes.io/last-applied-configuration"))
    }
}
