import Settings
import Testing

/// The health-check settings: the same defaults the flags had, and a flag, variable and file key each, checked in
/// one place.
@Suite struct HealthCheckSettingsTests {
    @Test func defaults() throws {
        let health = try ProxySettings.resolve([]).healthCheck
        #expect(health.enabled == false)
        #expect(health.interval == .seconds(5))
        #expect(health.timeout == .seconds(2))
        #expect(health.rise == 2)
        #expect(health.fall == 3)
        #expect(health.path == nil)
        #expect(health.host == nil)
        #expect(health.statuses == 200...399)
        #expect(!health.usesHTTP)
        #expect(health.udpPayload == nil)
        #expect(health.udpExpect == nil)
        #expect(health.action == "remove")
        #expect(health.allDown == "keep")
        #expect(health.stateFile == "/run/ipvs-proxy/health.json")
    }

    @Test func goDurationsAsForEveryOtherSetting() throws {
        let flags = try SettingsLayer.flags(["health-check-interval": "1m30s", "health-check-timeout": "1m0.5s"])
        let health = try ProxySettings.resolve([flags]).healthCheck
        #expect(health.interval == .seconds(90))
        #expect(health.timeout == .milliseconds(60_500))
    }

    @Test func theFileTheEnvironmentAndFlagsGiveEachSetting() throws {
        let file = try ConfigFile.parse(
            """
            health-check: true
            health-check-interval: 10s
            health-check-rise: 4
            health-check-path: /healthz
            health-check-udp-expect: ""
            health-check-action: inhibit
            health-state-file: ""
            """, path: "/c.yaml")
        let environment = try SettingsLayer.environment([
            "IPVS_PROXY_HEALTH_CHECK_FALL": "5", "IPVS_PROXY_HEALTH_CHECK_INTERVAL": "20s",
            "IPVS_PROXY_HEALTH_CHECK_ALL_DOWN": "remove",
        ])
        let flags = try SettingsLayer.flags(["health-check-interval": "30s", "health-check-status": "200"])
        let health = try ProxySettings.resolve([file, environment, flags]).healthCheck
        #expect(health.enabled)
        #expect(health.interval == .seconds(30), "the flag wins")
        #expect(health.rise == 4)
        #expect(health.fall == 5)
        #expect(health.path == "/healthz")
        #expect(health.statuses == 200...200)
        #expect(health.usesHTTP)
        #expect(health.udpExpect == "", "\"\" is a value: any reply")
        #expect(health.udpPayload == nil)
        #expect(health.action == "inhibit")
        #expect(health.allDown == "remove")
        #expect(health.stateFile == nil, "empty: no state file")
    }

    @Test(arguments: [
        (["health-check-rise": "0"], "--health-check-rise: \"0\" is not a whole number of at least 1"),
        (["health-check-fall": "many"], "--health-check-fall: \"many\" is not a whole number of at least 1"),
        (["health-check-interval": "5"], nil),
        (["health-check-interval": "fast"], "--health-check-interval: \"fast\" is not a duration"),
        (
            ["health-check-timeout": "6s"],
            "--health-check-timeout: must be more than 0 and at most --health-check-interval"
        ),
        (["health-check-interval": "1s"], "--health-check-interval: must be at least --health-check-timeout (2s)"),
        (["health-check-timeout": "0s"], "--health-check-timeout: must be more than 0 and at most"),
        (["health-check-status": "600"], "--health-check-status: \"600\" is not a status or range like 200-399"),
        (["health-check-status": "399-200"], "--health-check-status: \"399-200\" is not a status or range"),
        (["health-check-action": "drop"], "--health-check-action: \"drop\" is not one of remove, inhibit"),
        (["health-check-all-down": "panic"], "--health-check-all-down: \"panic\" is not one of keep, remove"),
    ] as [([String: String?], String?)])
    func badValuesNameTheFlag(flags: [String: String?], message: String?) throws {
        guard let message else {
            #expect(throws: Never.self) { try ProxySettings.resolve([try SettingsLayer.flags(flags)]) }
            return
        }
        let error = #expect(throws: SettingsError.self) { try ProxySettings.resolve([try SettingsLayer.flags(flags)]) }
        #expect(error?.code == .badValue)
        #expect(error?.message.hasPrefix(message) == true, "\(String(describing: error))")
    }
}
