import Health
import IPVS
import Kube

extension ServiceTranslator {
    /// The Service's health check (nil when it is not checked), from the defaults and its
    /// `ipvs-proxy.io/health-check*` annotations; a bad value is reported and the default is used instead.
    static func healthCheck(
        of service: ValidatedService,
        defaults: HealthCheckConfiguration
    ) -> (ServiceHealthCheck?, [ServiceDiagnostic]) {
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
        if let interval = parser.duration(ServiceAnnotations.healthCheckInterval) { probe.interval = interval }
        if let timeout = parser.duration(ServiceAnnotations.healthCheckTimeout) { probe.timeout = timeout }
        if let rise = parser.count(ServiceAnnotations.healthCheckRise) { probe.rise = rise }
        if let fall = parser.count(ServiceAnnotations.healthCheckFall) { probe.fall = fall }
        if probe.timeout > probe.interval, parser.text(ServiceAnnotations.healthCheckTimeout) != nil {
            parser.bad(
                ServiceAnnotations.healthCheckTimeout, "\(probe.timeout)",
                expected: "a timeout no longer than the interval (\(probe.interval)); using the interval"
            )
        }
        let path = parser.text(ServiceAnnotations.healthCheckPath)
        let host = parser.text(ServiceAnnotations.healthCheckHost)
        let statuses = parser.statuses(ServiceAnnotations.healthCheckStatus)
        if !forceTCP, path != nil || host != nil || statuses != nil || kind != .tcp {
            guard case .http(let defaultPath, let defaultHost, let defaultStatuses) = HealthAnnotationParser.http(from: kind)
            else { preconditionFailure("http(from:) returns an HTTP probe") }
            kind = .http(path: path ?? defaultPath, host: host ?? defaultHost, statuses: statuses ?? defaultStatuses)
        }
        var tcp = HealthProbe(kind: kind, interval: probe.interval, timeout: probe.timeout, rise: probe.rise, fall: probe.fall)
        if forceTCP { tcp.kind = .tcp }
        var udp: HealthProbe?
        let payload = parser.text(ServiceAnnotations.healthCheckUDPPayload).map { Array($0.utf8) } ?? defaults.udpPayload
        if let payload {
            let expect = parser.rawText(ServiceAnnotations.healthCheckUDPExpect).map { Array($0.utf8) } ?? defaults.udpExpect
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
}
