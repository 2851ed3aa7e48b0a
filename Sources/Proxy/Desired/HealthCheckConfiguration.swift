import Health
import Values

/// The operator's health-check defaults (`run --health-check...` flags). A Service's annotations override them.
public struct HealthCheckConfiguration: Sendable, Hashable {
    /// What happens to a real server whose probes fail.
    public enum Action: String, Sendable, Hashable, CaseIterable {
        /// It leaves its virtual servers as a removed endpoint does: weight 0 at once, deleted when its
        /// connections end or after the graceful period.
        case remove
        /// It stays with weight 0: no new connections, established ones go on, until it is healthy again.
        case inhibit
    }

    /// What happens when every real server of a virtual server is down.
    public enum AllDownPolicy: String, Sendable, Hashable, CaseIterable {
        /// Fail open: keep them all, as the EndpointSlices list them (a probe problem seen from this node must
        /// not black-hole a Service that Kubernetes calls ready).
        case keep
        /// Take them all out: the virtual server stays, empty, and refuses new connections.
        case remove
    }

    /// Whether Services' `ipvs-proxy.io/health-check*` annotations count (`--health-check-annotations`).
    public enum AnnotationPolicy: String, Sendable, Hashable, CaseIterable {
        /// They are ignored, and each Service carrying one is told so: the operator's settings alone decide.
        case deny
        /// They switch probing on or off and set its parameters, within ``HealthProbeRules``.
        case allow
    }

    /// Whether Services without the `ipvs-proxy.io/health-check` annotation are probed.
    public var enabled: Bool
    /// Whether Services' annotations count.
    public var annotations: AnnotationPolicy
    /// The only addresses probes go to (`--health-check-cidrs`, else `--cluster-cidr`): an endpoint outside them
    /// is not probed, and stays a real server as its EndpointSlice lists it. nil: the operator named none; then
    /// Services probed only because their annotation asks are not probed at all, and those probed because
    /// `enabled` is set are probed at any address.
    public var allowedPrefixes: [AddressPrefix]?
    /// The probe for TCP ports of probed Services: kind (tcp or http), interval, timeout, rise, fall.
    public var probe: HealthProbe
    /// The payload UDP ports are probed with; nil: UDP ports are not probed unless a Service gives one.
    public var udpPayload: [UInt8]?
    /// With `udpPayload`, the bytes a reply must contain (empty: any reply); nil: no reply expected.
    public var udpExpect: [UInt8]?
    /// What happens to an unhealthy real server.
    public var action: Action
    /// What happens when all of a virtual server's real servers are unhealthy.
    public var allDown: AllDownPolicy

    /// Defaults: off; annotations denied; no CIDRs; TCP connect every 5 s, timeout 2 s, rise 2, fall 3; remove;
    /// keep all when all are down.
    public init(
        enabled: Bool = false,
        annotations: AnnotationPolicy = .deny,
        allowedPrefixes: [AddressPrefix]? = nil,
        probe: HealthProbe = HealthProbe(),
        udpPayload: [UInt8]? = nil,
        udpExpect: [UInt8]? = nil,
        action: Action = .remove,
        allDown: AllDownPolicy = .keep
    ) {
        self.enabled = enabled
        self.annotations = annotations
        self.allowedPrefixes = allowedPrefixes
        self.probe = probe
        self.udpPayload = udpPayload
        self.udpExpect = udpExpect
        self.action = action
        self.allDown = allDown
    }
}

extension HealthCheckConfiguration {
    /// True when probes may go to `address`: inside ``allowedPrefixes``, or anywhere when there are none.
    func mayProbe(_ address: IPAddress) -> Bool {
        allowedPrefixes?.contains { $0.contains(address) } ?? true
    }

    /// ``allowedPrefixes`` for a message: "10.244.0.0/16, 192.168.0.0/24".
    var allowedPrefixesText: String {
        (allowedPrefixes ?? []).map(\.description).joined(separator: ", ")
    }
}
