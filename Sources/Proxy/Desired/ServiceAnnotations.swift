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

    /// Health checking of this Service's real servers: `on` (the default probe), `off`, `tcp` or `http`.
    public static let healthCheck = "ipvs-proxy.io/health-check"
    /// Time between probes ("5s", "500ms").
    public static let healthCheckInterval = "ipvs-proxy.io/health-check-interval"
    /// How long a probe may take ("2s").
    public static let healthCheckTimeout = "ipvs-proxy.io/health-check-timeout"
    /// Successes in a row that bring an unhealthy real server back.
    public static let healthCheckRise = "ipvs-proxy.io/health-check-rise"
    /// Failures in a row that take a real server out.
    public static let healthCheckFall = "ipvs-proxy.io/health-check-fall"
    /// The HTTP probe's path (setting it makes the probe HTTP unless `health-check` says tcp).
    public static let healthCheckPath = "ipvs-proxy.io/health-check-path"
    /// The HTTP probe's Host header (default: the endpoint's address and port).
    public static let healthCheckHost = "ipvs-proxy.io/health-check-host"
    /// The HTTP statuses that count as healthy: "200", "200-399" (default 200-399).
    public static let healthCheckStatus = "ipvs-proxy.io/health-check-status"
    /// The UDP probe's payload (text); UDP ports are probed only when one is given here or by flag.
    public static let healthCheckUDPPayload = "ipvs-proxy.io/health-check-udp-payload"
    /// Text a UDP reply must contain ("" accepts any reply); unset: no reply expected, only ICMP errors count.
    public static let healthCheckUDPExpect = "ipvs-proxy.io/health-check-udp-expect"
    /// `remove` (default) or `inhibit` (weight 0, connections kept).
    public static let healthCheckAction = "ipvs-proxy.io/health-check-action"
    /// When every real server is down: `keep` them all (default, fail open) or `remove` them all.
    public static let healthCheckAllDown = "ipvs-proxy.io/health-check-all-down"

    /// True for `ipvs-proxy.io/health-check` and every `ipvs-proxy.io/health-check-*` key (known or not): the
    /// annotations `--health-check-annotations=deny` ignores.
    public static func isHealthCheck(_ key: String) -> Bool {
        key == healthCheck || key.hasPrefix(healthCheck + "-")
    }
}
