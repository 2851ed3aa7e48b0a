/// The annotations a Service can carry to steer its virtual servers.
public enum ServiceAnnotations {
    /// The IPVS scheduler for this Service's virtual servers ("rr", "wlc", "sh", ...).
    public static let scheduler = "ipvs-proxy.io/scheduler"
    /// kube-router's scheduler annotation, honoured so its users can migrate (ours wins when both are set).
    public static let kubeRouterScheduler = "kube-router.io/service.scheduler"
    /// Scheduler flags, comma-separated: `sh-fallback`, `sh-port` (also for mh).
    public static let schedulerFlags = "ipvs-proxy.io/scheduler-flags"
    /// kube-router's scheduler flags (`flag-1`, `flag-2`, `flag-3`), honoured likewise.
    public static let kubeRouterSchedulerFlags = "kube-router.io/service.schedflags"
    /// The prefix length that groups clients for session affinity (ClientIP): 24 keeps a whole /24 on one pod.
    public static let persistenceNetmask = "ipvs-proxy.io/persistence-prefix-length"
}
