import Values

/// The health-check settings of `ipvs-proxy run` (`--health-check*`, `--health-state-file`): the defaults a
/// Service's `ipvs-proxy.io/health-check*` annotations override. Checked, but still plain values: the CLI turns
/// them into the prober's and the proxy's types.
public struct HealthCheckSettings: Sendable, Hashable {
    /// `--health-check`: probe every Service's endpoints, not only annotated ones.
    public var enabled: Bool
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
        return HealthCheckSettings(
            enabled: try reader.bool(SettingKeys.healthCheck),
            interval: interval,
            timeout: timeout,
            rise: try reader.count(SettingKeys.healthCheckRise),
            fall: try reader.count(SettingKeys.healthCheckFall),
            path: try reader.text(SettingKeys.healthCheckPath),
            host: try reader.text(SettingKeys.healthCheckHost),
            statuses: try reader.statusRange(SettingKeys.healthCheckStatus),
            udpPayload: try reader.verbatim(SettingKeys.healthCheckUDPPayload),
            udpExpect: try reader.verbatim(SettingKeys.healthCheckUDPExpect),
            action: try reader.choice(SettingKeys.healthCheckAction),
            allDown: try reader.choice(SettingKeys.healthCheckAllDown),
            stateFile: try reader.text(SettingKeys.healthStateFile)
        )
    }
}
