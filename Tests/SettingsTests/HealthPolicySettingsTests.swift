import Settings
import Testing
import Values

/// The operator's health-check policy as settings: annotations denied unless allowed, the CIDRs probes may reach
/// (falling back to --cluster-cidr), and the same probe rules as for annotations, with errors naming the setting.
@Suite struct HealthPolicySettingsTests {
    static func resolve(flags: [String: String?] = [:], environment: [String: String] = [:]) throws
        -> HealthCheckSettings
    {
        try ProxySettings.resolve([try SettingsLayer.environment(environment), try SettingsLayer.flags(flags)])
            .healthCheck
    }

    @Test func annotationsAreDeniedAndNoCIDRsNamedByDefault() throws {
        let health = try Self.resolve()
        #expect(health.allowAnnotations == false)
        #expect(health.cidrs == nil)
        #expect(health.warnings.isEmpty)
    }

    @Test func theFileTheEnvironmentAndTheFlagGiveThePolicy() throws {
        let file = try ConfigFile.parse(
            "health-check-annotations: allow\nhealth-check-cidrs: [10.244.0.0/16, 192.168.0.0/24]\n", path: "/c.yaml")
        let fromFile = try ProxySettings.resolve([file]).healthCheck
        #expect(fromFile.allowAnnotations)
        #expect(fromFile.cidrs == [AddressPrefix("10.244.0.0/16"), AddressPrefix("192.168.0.0/24")].compactMap { $0 })
        let environment = [
            "IPVS_PROXY_HEALTH_CHECK_ANNOTATIONS": "allow", "IPVS_PROXY_HEALTH_CHECK_CIDRS": "fd00::/64",
        ]
        #expect(try Self.resolve(environment: environment).cidrs == [AddressPrefix("fd00::/64")].compactMap { $0 })
        let flag = try Self.resolve(
            flags: ["health-check-annotations": "deny"], environment: ["IPVS_PROXY_HEALTH_CHECK_ANNOTATIONS": "allow"])
        #expect(flag.allowAnnotations == false, "the flag wins")
    }

    @Test func theCIDRsFallBackToTheClusterCIDR() throws {
        let cluster = try Self.resolve(flags: ["cluster-cidr": "10.244.0.0/16"])
        #expect(cluster.cidrs == [AddressPrefix("10.244.0.0/16")].compactMap { $0 })
        let own = try Self.resolve(flags: ["cluster-cidr": "10.244.0.0/16", "health-check-cidrs": "10.0.0.0/8"])
        #expect(own.cidrs == [AddressPrefix("10.0.0.0/8")].compactMap { $0 }, "its own setting wins")
    }

    @Test func warningsForWhatTheOperatorMayNotHaveMeant() throws {
        let allowWithout = try Self.resolve(flags: ["health-check-annotations": "allow"])
        #expect(allowWithout.warnings.count == 1)
        #expect(allowWithout.warnings.first?.contains("are not probed") == true)
        let globalWithout = try Self.resolve(flags: ["health-check": "true"])
        #expect(globalWithout.warnings.first?.contains("every Service's endpoint addresses are probed") == true)
        // The operator's own timing is not held to the floor: it is taken, with a warning.
        let fast = try Self.resolve(flags: ["health-check-interval": "500ms", "health-check-timeout": "200ms"])
        #expect(fast.interval == .milliseconds(500) && fast.timeout == .milliseconds(200))
        #expect(fast.warnings.count == 2)
        #expect(fast.warnings.first?.hasPrefix("--health-check-interval 500ms is less than 1s") == true)
        #expect(
            try Self.resolve(flags: ["health-check-interval": "1s", "health-check-timeout": "1s"]).warnings.isEmpty)
    }

    @Test(
        arguments: [
            (["health-check-annotations": "maybe"], "--health-check-annotations: \"maybe\" is not one of deny, allow"),
            (["health-check-cidrs": "pods"], "--health-check-cidrs: \"pods\" is not a CIDR"),
            (
                ["health-check-path": "/x\r\nX-Injected: 1"],
                #"--health-check-path: "/x\r\nX-Injected: 1" contains a carriage return (CR, 0x0d)"#
            ),
            (
                ["health-check-path": "/x\nHost: evil"],
                "--health-check-path: \"/x\\nHost: evil\" contains a line feed (LF, 0x0a)"
            ),
            (["health-check-path": "/x\u{0}"], "--health-check-path: \"/x\\u{0}\" contains a NUL byte (0x00)"),
            (["health-check-path": "/a b"], "--health-check-path: \"/a b\" contains a space"),
            (["health-check-path": "healthz"], "--health-check-path: \"healthz\" must start with /"),
            (["health-check-path": "/" + String(repeating: "a", count: 1024)], "--health-check-path: \"/aaaa"),
            (["health-check-host": "web\r\nX: 1"], #"--health-check-host: "web\r\nX: 1" contains a carriage return"#),
            (["health-check-host": "web\u{0}"], "--health-check-host: \"web\\u{0}\" contains a NUL byte"),
            (["health-check-host": String(repeating: "a.", count: 127)], "--health-check-host: \"a.a."),
            (
                ["health-check-host": "web:0"],
                "--health-check-host: \"web:0\" port \"0\" is not a number from 1 to 65535"
            ),
            (["health-check-udp-payload": String(repeating: "p", count: 513)], "--health-check-udp-payload: \"ppp"),
            (["health-check-udp-expect": String(repeating: "e", count: 513)], "--health-check-udp-expect: \"eee"),
            (["health-check-path": "/healthz", "health-check-host": "web.local:8080"], nil),
            (["health-check-udp-payload": String(repeating: "p", count: 512)], nil),
        ] as [([String: String?], String?)])
    func badValuesNameTheSetting(flags: [String: String?], message: String?) throws {
        guard let message else {
            #expect(throws: Never.self) { try ProxySettings.resolve([try SettingsLayer.flags(flags)]) }
            return
        }
        let error = #expect(throws: SettingsError.self) { try ProxySettings.resolve([try SettingsLayer.flags(flags)]) }
        #expect(error?.code == .badValue)
        #expect(error?.message.hasPrefix(message) == true, "\(String(describing: error))")
        #expect(error?.message.contains("\r") == false && error?.message.contains("\n") == false)
    }

    @Test func theVariableIsNamedWhenItIsTheSource() throws {
        let error = #expect(throws: SettingsError.self) {
            try Self.resolve(environment: ["IPVS_PROXY_HEALTH_CHECK_HOST": "a\u{7F}"])
        }
        #expect(
            error?.message.hasPrefix(
                "environment variable IPVS_PROXY_HEALTH_CHECK_HOST: \"a\\u{7f}\" contains a DEL byte") == true,
            "\(String(describing: error))")
    }
}
