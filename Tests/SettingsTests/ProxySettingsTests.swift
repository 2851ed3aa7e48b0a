import IPVS
import Proxy
import Settings
import Testing
import Values

@Suite struct ProxySettingsTests {
    @Test func defaultsMatchKubeProxy() throws {
        let settings = try ProxySettings.resolve([])
        #expect(settings.scheduler == "rr")
        #expect(settings.syncPeriod == .seconds(30))
        #expect(settings.minSyncPeriod == .zero)
        #expect(settings.kernelReadShare == 0.01)
        #expect(settings.healthzBindAddress == BindAddress(host: .v4(IPv4Address(0)), port: 10256))
        #expect(settings.metricsBindAddress == BindAddress(host: .v4(IPv4Address(127, 0, 0, 1)), port: 10249))
        #expect(settings.ipvsTimeouts == IPVSTimeouts(tcp: 0, tcpFin: 0, udp: 0))
        #expect(settings.strictARP == false)
        #expect(settings.masqueradeAll == false)
        #expect(settings.nodePortRange == 30000...32767)
        #expect(settings.excludeCIDRs.isEmpty)
    }

    /// Flags beat the environment, which beats the file, which beats the defaults, whatever order the layers come in.
    @Test(
        arguments: [
            (file: "wrr", env: "lc", flag: "sh", expected: "sh"),
            (file: "wrr", env: "lc", flag: nil, expected: "lc"),
            (file: "wrr", env: nil, flag: nil, expected: "wrr"),
            (file: nil, env: nil, flag: "mh", expected: "mh"),
            (file: nil, env: nil, flag: nil, expected: "rr"),
        ] as [(String?, String?, String?, String)])
    func precedence(file: String?, env: String?, flag: String?, expected: String) throws {
        let fileLayer = try ConfigFile.parse(file.map { "ipvs-scheduler: \($0)\n" } ?? "", path: "/etc/ipvs-proxy.yaml")
        let envLayer = try SettingsLayer.environment(env.map { ["IPVS_PROXY_IPVS_SCHEDULER": $0] } ?? [:])
        let flagLayer = try SettingsLayer.flags(["ipvs-scheduler": flag])
        for layers in [
            [fileLayer, envLayer, flagLayer], [flagLayer, envLayer, fileLayer], [envLayer, flagLayer, fileLayer],
        ] {
            #expect(try ProxySettings.resolve(layers).scheduler == expected)
        }
    }

    /// Each bad value is an error that names where it came from and the key.
    @Test(arguments: [
        ("sync-period: fast\n", "/c.yaml:1: key sync-period: \"fast\" is not a duration"),
        ("sync-period: 0s\n", "/c.yaml:1: key sync-period: must be more than 0"),
        ("min-sync-period: -1s\n", "/c.yaml:1: key min-sync-period: \"-1s\" is not a duration"),
        ("kernel-read-cpu: 0\n", "/c.yaml:1: key kernel-read-cpu: \"0\" is not a percent more than 0 and at most"),
        ("kernel-read-cpu: 150\n", "/c.yaml:1: key kernel-read-cpu: \"150\" is not a percent more than 0"),
        ("kernel-read-cpu: 1%\n", "/c.yaml:1: key kernel-read-cpu: \"1%\" is not a number"),
        ("ipvs-strict-arp: maybe\n", "/c.yaml:1: key ipvs-strict-arp: \"maybe\" is not true or false"),
        (
            "\nipvs-exclude-cidrs: [10.0.0.0/8, 10.1/16]\n",
            "/c.yaml:2: key ipvs-exclude-cidrs: \"10.1/16\" is not a CIDR"
        ),
        ("cluster-cidr: 10.244.0.0/33\n", "/c.yaml:1: key cluster-cidr: \"10.244.0.0/33\" is not a CIDR"),
        ("healthz-bind-address: localhost:10256\n", "/c.yaml:1: key healthz-bind-address: \"localhost:10256\" is not"),
        ("metrics-bind-address: 127.0.0.1:99999\n", "/c.yaml:1: key metrics-bind-address: \"127.0.0.1:99999\" is not"),
        ("node-port-range: 32767-30000\n", "/c.yaml:1: key node-port-range: \"32767-30000\" is not a port range"),
        ("ipvs-tcp-timeout: 500ms\n", "/c.yaml:1: key ipvs-tcp-timeout: must be 0 (leave as is) or between 1s"),
        ("log-level: loud\n", "/c.yaml:1: key log-level: \"loud\" is not one of"),
        ("ipvs-scheduler: [rr, wrr]\n", "/c.yaml:1: key ipvs-scheduler: expected one value, not a list"),
        ("masquerade-all: {a: 1}\n", "/c.yaml:1: key masquerade-all: expected a value or a list, not a mapping"),
    ])
    func badValuesNameFileAndKey(yaml: String, message: String) throws {
        let error = #expect(throws: SettingsError.self) {
            try ProxySettings.resolve([try ConfigFile.parse(yaml, path: "/c.yaml")])
        }
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "no error")")
    }

    @Test(arguments: [
        ("shedule: rr\n", SettingsErrorCode.unknownKey, "/c.yaml:1: key shedule: no such setting"),
        ("- a\n- b\n", .malformedFile, "config file /c.yaml: expected a mapping"),
        ("a: [\n", .malformedFile, "config file /c.yaml: not valid YAML"),
        ("apiVersion: v1\nkind: ConfigMap\n", .malformedFile, "config file /c.yaml: apiVersion v1 kind ConfigMap"),
    ])
    func malformedFiles(yaml: String, code: SettingsErrorCode, message: String) throws {
        let error = #expect(throws: SettingsError.self) { try ConfigFile.parse(yaml, path: "/c.yaml") }
        #expect(error?.code == code)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "no error")")
    }

    @Test func badEnvironmentAndFlagValuesNameTheirSource() throws {
        let env = #expect(throws: SettingsError.self) {
            try ProxySettings.resolve([try SettingsLayer.environment(["IPVS_PROXY_SYNC_PERIOD": "soon"])])
        }
        #expect(env?.message.hasPrefix("environment variable IPVS_PROXY_SYNC_PERIOD: \"soon\"") == true)
        let flag = #expect(throws: SettingsError.self) {
            try ProxySettings.resolve([try SettingsLayer.flags(["ipvs-udp-timeout": "x"])])
        }
        #expect(flag?.message.hasPrefix("--ipvs-udp-timeout: \"x\" is not a duration") == true)
        let unknown = #expect(throws: SettingsError.self) {
            try SettingsLayer.environment(["IPVS_PROXY_SHEDULER": "rr", "IPVS_PROXY_LAB": "1", "HOME": "/root"])
        }
        #expect(unknown?.code == .unknownKey)
        #expect(unknown?.message.hasPrefix("environment variable IPVS_PROXY_SHEDULER names no setting") == true)
    }

    @Test func everyKeyHasAnEnvironmentName() {
        let names = SettingKeys.all.map(\.environmentName)
        #expect(Set(names).count == names.count)
        #expect(SettingKeys.tcpFinTimeout.environmentName == "IPVS_PROXY_IPVS_TCPFIN_TIMEOUT")
        #expect(SettingKeys.all.allSatisfy { SettingKeys.named($0.name) == $0 })
    }

    @Test func ownFileWithEveryKind() throws {
        let yaml = """
            apiVersion: ipvs-proxy.io/v1alpha1
            kind: ProxyConfiguration
            ipvs-scheduler: wlc
            sync-period: 1m30s
            min-sync-period: 250ms
            kernel-read-cpu: 2.5
            nodeport-addresses: 192.168.0.0/16, fd00::/8
            ipvs-exclude-cidrs:
              - 10.96.0.0/24
            ipvs-strict-arp: true
            ipvs-tcp-timeout: 15m
            ipvs-udp-timeout: 300
            healthz-bind-address: "[::]:8080"
            metrics-bind-address: ""
            cluster-cidr: 10.244.0.0/16
            masquerade-all: yes
            """
        let settings = try ProxySettings.resolve([try ConfigFile.parse(yaml, path: "/c.yaml")])
        #expect(settings.scheduler == "wlc")
        #expect(settings.syncPeriod == .seconds(90))
        #expect(settings.minSyncPeriod == .milliseconds(250))
        #expect(settings.kernelReadShare == 0.025)
        #expect(settings.nodePortAddresses.map(\.description) == ["192.168.0.0/16", "fd00::/8"])
        #expect(settings.excludeCIDRs.map(\.description) == ["10.96.0.0/24"])
        #expect(settings.strictARP)
        #expect(settings.ipvsTimeouts == IPVSTimeouts(tcp: 900, tcpFin: 0, udp: 300))
        #expect(settings.healthzBindAddress == BindAddress(host: .v6(IPv6Address(high: 0, low: 0)), port: 8080))
        #expect(settings.metricsBindAddress == nil)
        #expect(settings.clusterCIDRs.map(\.description) == ["10.244.0.0/16"])
        #expect(settings.masqueradeAll)
    }
}
