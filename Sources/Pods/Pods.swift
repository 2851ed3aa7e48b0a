/// Backend "pods" in network namespaces, for the kernel lab, the demo and the scheduler benchmark.
///
/// - ``PodServer``: one pod's servers in one process: HTTP/1.1 whose body (`NAME\n`) and `X-Pod` header name the
///   pod (keep-alive honoured; `X-Pod-Request` counts the requests on the connection), TCP echo and UDP echo.
///   Each HTTP response waits a delay drawn from a seeded ``DelayDistribution`` (constant, exponential,
///   log-normal, Pareto), changeable while it runs (``DelaySampler``).
/// - ``PodNetwork``: the fixture. `up` makes a bridge in the pod CIDR, one namespace + veth per pod, and starts
///   `ipvs-bench pods serve` in each; `stop`/`start` (refuse, then answer again), `pause`/`resume` (SIGSTOP:
///   silent, not refusing), `setDelay` (slow down midway), `status`, `down`. State lives in a file, so
///   `PodNetwork.attach` from another process can take over.
/// - ``PodNetworkLayout``: the pure plan (names, addresses, files, the exact `ip` commands), unit-tested.
/// - ``PodProbe``: a small client that tells an answer from a refusal from silence (``ProbeOutcome``).
public enum Pods {}
