import Health
import Values

/// The health-check settings of `ipvs-proxy run` (`--health-check*`, `--health-state-file`): the defaults a
/// Service's `ipvs-proxy.io/health-check*` annotations override. Checked, but still plain values: the CLI turns
/// them into the prober's and the proxy's types.
public struct HealthCheckSettings: Sendable, Hashable {
    /// `--health-check`: probe every Service's endpoints, not only annotated ones.
    public var enabled: Bool
    /// `--health-check-annotations`: true for `allow` (Services' annotations honoured), false for `deny`.
    public var allowAnnotations: Bool
    /// The only addresses probes may go to: `--health-check-cidrs`, else `--cluster-cidr`; nil when neither is set
    /// (then Services probed by annotation are not probed at all, and `--health-check` probes any address).
    public var cidrs: [AddressPrefix]?
    /// `--health-check-interval`.
    public var interval: Duration
    /// `--health-check-timeout` (more than 0, at most the interval).
    public var timeout: Duration
    /// `--health-check-rise`, `--health-check-fall` (at least 1).
    public var rise: Int
    public var fall: Int
    /// `--health-check-path`, `--health-check-host`: the HTTP probe's request.
    public var path: String?
    public var host: String?
    /// `--health-check-status`: statuses that count as healthy.
    public var statuses: ClosedRange<Int>
    /// `--health-check-udp-payload`, `--health-check-udp-expect` (`""` is a value: any reply).
    public var udpPayload: String?
    public var udpExpect: String?
    /// `--health-check-action`: `remove` or `inhibit`.
    public var action: String
    /// `--health-check-all-down`: `keep` or `remove`.
    public var allDown: String
    /// `--health-state-file`; nil: none written.
    public var stateFile: String?
    /// What the operator should know about these settings, to log at start as warnings (an interval or timeout
    /// below the floor Services are held to, probes that may go to any address).
    public var warnings: [String] = []

    /// True when TCP ports are probed with an HTTP GET: a path, a host or statuses other than 200-399 given.
    public var usesHTTP: Bool { path != nil || host != nil || statuses != 200...399 }

    static func read(_ reader: SettingReader) throws -> HealthCheckSettings {
        let interval = try reader.positiveDuration(SettingKeys.healthCheckInterval)
        let timeout = try reader.duration(SettingKeys.healthCheckTimeout)
        guard timeout > .zero, timeout <= interval else {
            // Blame the one that was given: the timeout, or the interval when the timeout is the default.
            if let raw = reader.raw(SettingKeys.healthCheckTimeout), raw.origin != .defaults {
                throw reader.fail(raw, "must be more than 0 and at most --health-check-interval")
            }
            let raw =
                reader.raw(SettingKeys.healthCheckInterval)
                ?? RawSetting(.text(SettingKeys.healthCheckInterval.defaultValue ?? ""), from: .defaults)
            throw reader.fail(raw, "must be at least --health-check-timeout (\(GoDuration.format(timeout)))")
        }
        let ownCIDRs = try reader.cidrs(SettingKeys.healthCheckCIDRs)
        let clusterCIDRs = try reader.cidrs(SettingKeys.clusterCIDR)
        var settings = HealthCheckSettings(
            enabled: try reader.bool(SettingKeys.healthCheck),
            allowAnnotations: try reader.choice(SettingKeys.healthCheckAnnotations) == "allow",
            cidrs: !ownCIDRs.isEmpty ? ownCIDRs : !clusterCIDRs.isEmpty ? clusterCIDRs : nil,
            interval: interval,
            timeout: timeout,
            rise: try reader.count(SettingKeys.healthCheckRise),
            fall: try reader.count(SettingKeys.healthCheckFall),
            path: try reader.checked(SettingKeys.healthCheckPath, reader.text, HealthProbeRules.pathProblem),
            host: try reader.checked(SettingKeys.healthCheckHost, reader.text, HealthProbeRules.hostProblem),
            statuses: try reader.statusRange(SettingKeys.healthCheckStatus),
            udpPayload: try reader.checked(SettingKeys.healthCheckUDPPayload, reader.verbatim) {
                HealthProbeRules.udpPayloadProblem(Array($0.utf8))
            },
            udpExpect: try reader.checked(SettingKeys.healthCheckUDPExpect, reader.verbatim) {
                HealthProbeRules.udpExpectProblem(Array($0.utf8))
            },
            action: try reader.choice(SettingKeys.healthCheckAction),
            allDown: try reader.choice(SettingKeys.healthCheckAllDown),
            stateFile: try reader.text(SettingKeys.healthStateFile)
        )
        settings.warnings = settings.startWarnings
        return settings
    }

    /// The operator's own interval and timeout are not held to the floor Services are (a short timeout is a fair
    /// choice), but going below it is worth a word; so is probing with no CIDRs to keep probes in.
    var startWarnings: [String] {
        var warnings: [String] = []
        if let problem = HealthProbeRules.annotationIntervalProblem(interval) {
            warnings.append(
                "--health-check-interval \(GoDuration.format(interval)) \(problem) for Services' annotations:"
                    + " every node probes every endpoint that often")
        }
        if let problem = HealthProbeRules.annotationTimeoutProblem(timeout) {
            warnings.append(
                "--health-check-timeout \(GoDuration.format(timeout)) \(problem) for Services' annotations:"
                    + " slow but healthy endpoints may be taken out")
        }
        if cidrs == nil, enabled {
            warnings.append(
                "--health-check is on with neither --health-check-cidrs nor --cluster-cidr: every Service's endpoint"
                    + " addresses are probed, wherever they are; name the pod and node CIDRs to keep probes in them")
        }
        if cidrs == nil, allowAnnotations {
            warnings.append(
                "--health-check-annotations=allow with neither --health-check-cidrs nor --cluster-cidr: Services that"
                    + " turn health checks on by annotation are not probed")
        }
        return warnings
    }
}

extension SettingReader {
    /// The value `read` gives, refused with a message naming where it came from when `problem` finds one.
    func checked(
        _ key: SettingKey, _ read: (SettingKey) throws -> String?, _ problem: (String) -> String?
    ) throws -> String? {
        guard let value = try read(key), let raw = raw(key) else { return nil }
        if let problem = problem(value) { throw fail(raw, "\(HealthProbeRules.quoted(value)) \(problem)") }
        return value
    }
}
