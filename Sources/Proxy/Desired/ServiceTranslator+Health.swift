import Health
import IPVS
import Kube
import Values

extension ServiceTranslator {
    /// The Service's health check (nil when it is not checked), from the operator's defaults and, when the
    /// operator allows them (`--health-check-annotations=allow`), its `ipvs-proxy.io/health-check*` annotations.
    ///
    /// - `deny`: the annotations are ignored, and one diagnostic (``ServiceDiagnostic/Code/ignoredByPolicy``) names
    ///   them; the defaults alone decide.
    /// - `allow`: a value that is malformed, or outside ``HealthProbeRules`` (an interval or timeout under 1 s, a
    ///   path or Host with a control character, a payload too long), is reported and the default used instead.
    ///   A Service that is probed only because its annotation asks is not probed when the operator named no CIDRs
    ///   to probe in (``HealthCheckConfiguration/allowedPrefixes``), and is told so.
    static func healthCheck(
        of service: ValidatedService,
        defaults: HealthCheckConfiguration
    ) -> (ServiceHealthCheck?, [ServiceDiagnostic]) {
        let asked = service.annotations.keys.filter(ServiceAnnotations.isHealthCheck).sorted()
        guard defaults.annotations == .allow || asked.isEmpty else {
            var unannotated = service
            unannotated.annotations = service.annotations.filter { !ServiceAnnotations.isHealthCheck($0.key) }
            let (check, diagnostics) = healthCheck(of: unannotated, defaults: defaults)
            let ignored = ServiceDiagnostic(
                code: .ignoredByPolicy, service: service.key.description,
                field: "metadata.annotations[\(asked.joined(separator: ", "))]",
                message: "ignored: this proxy runs with --health-check-annotations=deny, so the operator's settings"
                    + " alone decide (health checks \(defaults.enabled ? "on" : "off") for this Service)")
            return (check, diagnostics + [ignored])
        }
        var parser = HealthAnnotationParser(service: service)
        var enabled = defaults.enabled
        var kind = defaults.probe.kind
        var probe = defaults.probe
        var forceTCP = false
        if let value = parser.word(ServiceAnnotations.healthCheck) {
            switch value {
            case "on", "true", "yes": enabled = true
            case "off", "false", "no", "none": enabled = false
            case "tcp": (enabled, forceTCP, kind) = (true, true, .tcp)
            case "http": (enabled, kind) = (true, HealthAnnotationParser.http(from: kind))
            default: parser.bad(ServiceAnnotations.healthCheck, value, expected: "on, off, tcp or http")
            }
        }
        guard enabled else { return (nil, parser.diagnostics) }
        guard defaults.enabled || defaults.allowedPrefixes != nil else {
            let ignored = ServiceDiagnostic(
                code: .ignoredByPolicy, service: service.key.description,
                field: "metadata.annotations[\(ServiceAnnotations.healthCheck)]",
                message: "not probed: the operator named no CIDRs that health checks may reach (--health-check-cidrs,"
                    + " or --cluster-cidr)")
            return (nil, parser.diagnostics + [ignored])
        }
        let interval = parser.duration(
            ServiceAnnotations.healthCheckInterval, floor: HealthProbeRules.annotationIntervalProblem)
        if let interval { probe.interval = interval }
        let timeout = parser.duration(
            ServiceAnnotations.healthCheckTimeout, floor: HealthProbeRules.annotationTimeoutProblem)
        if let timeout { probe.timeout = timeout }
        if let rise = parser.count(ServiceAnnotations.healthCheckRise) { probe.rise = rise }
        if let fall = parser.count(ServiceAnnotations.healthCheckFall) { probe.fall = fall }
        if probe.timeout > probe.interval, timeout != nil {
            parser.bad(
                ServiceAnnotations.healthCheckTimeout, "\(probe.timeout)",
                expected: "a timeout no longer than the interval (\(probe.interval)); using the interval"
            )
        }
        let path = parser.checked(ServiceAnnotations.healthCheckPath, HealthProbeRules.pathProblem)
        let host = parser.checked(ServiceAnnotations.healthCheckHost, HealthProbeRules.hostProblem)
        let statuses = parser.statuses(ServiceAnnotations.healthCheckStatus)
        if !forceTCP, path != nil || host != nil || statuses != nil || kind != .tcp {
            guard
                case .http(let defaultPath, let defaultHost, let defaultStatuses) = HealthAnnotationParser.http(
                    from: kind)
            else { preconditionFailure("http(from:) returns an HTTP probe") }
            kind = .http(path: path ?? defaultPath, host: host ?? defaultHost, statuses: statuses ?? defaultStatuses)
        }
        var tcp = HealthProbe(
            kind: kind, interval: probe.interval, timeout: probe.timeout, rise: probe.rise, fall: probe.fall)
        if forceTCP { tcp.kind = .tcp }
        var udp: HealthProbe?
        let payload =
            parser.checked(ServiceAnnotations.healthCheckUDPPayload) {
                HealthProbeRules.udpPayloadProblem(Array($0.utf8))
            }
            .map { Array($0.utf8) } ?? defaults.udpPayload
        if let payload {
            var expect = defaults.udpExpect
            if let text = parser.rawText(ServiceAnnotations.healthCheckUDPExpect) {
                if let problem = HealthProbeRules.udpExpectProblem(Array(text.utf8)) {
                    parser.refused(ServiceAnnotations.healthCheckUDPExpect, text, problem)
                } else {
                    expect = Array(text.utf8)
                }
            }
            udp = tcp
            udp?.kind = .udp(payload: payload, expect: expect)
        }
        let action =
            parser.choice(
                ServiceAnnotations.healthCheckAction, HealthCheckConfiguration.Action.self,
                expected: "remove or inhibit") ?? defaults.action
        let allDown =
            parser.choice(
                ServiceAnnotations.healthCheckAllDown, HealthCheckConfiguration.AllDownPolicy.self,
                expected: "keep or remove") ?? defaults.allDown
        return (ServiceHealthCheck(tcp: tcp, udp: udp, action: action, allDown: allDown), parser.diagnostics)
    }

    /// One diagnostic per slice naming the real-server addresses that were not probed because they lie outside
    /// the health-check CIDRs (``HealthCheckConfiguration/allowedPrefixes``); they stay in the real servers.
    static func unprobedDiagnostics(
        _ unprobed: Set<IPAddress>, slices: [ValidatedEndpointSlice], service: ValidatedService,
        health: HealthCheckConfiguration
    ) -> [ServiceDiagnostic] {
        guard !unprobed.isEmpty else { return [] }
        return slices.compactMap { slice in
            var seen = Set<IPAddress>()
            let addresses = slice.endpoints.map(\.address).filter {
                unprobed.contains($0) && seen.insert($0).inserted
            }
            guard !addresses.isEmpty else { return nil }
            return ServiceDiagnostic(
                code: .notProbed, service: service.key.description,
                field: "endpointslices/\(slice.key) endpoints[].addresses",
                message: "\(list(addresses)) \(addresses.count == 1 ? "is" : "are") outside the health-check CIDRs"
                    + " (\(health.allowedPrefixesText)); not probed, left in the real servers as listed")
        }
    }
}
