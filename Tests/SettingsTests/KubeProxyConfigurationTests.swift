import IPVS
import Settings
import Testing
import Values

@Suite struct KubeProxyConfigurationTests {
    /// A kube-proxy config as kubeadm writes it, in IPVS mode.
    static let kubeadm = """
        apiVersion: kubeproxy.config.k8s.io/v1alpha1
        kind: KubeProxyConfiguration
        bindAddress: 0.0.0.0
        bindAddressHardFail: false
        clientConnection:
          acceptContentTypes: ""
          burst: 0
          contentType: ""
          kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
          qps: 0
        clusterCIDR: 10.244.0.0/16,fd00:10:244::/56
        configSyncPeriod: 0s
        conntrack:
          maxPerCore: null
          min: null
          tcpCloseWaitTimeout: null
          tcpEstablishedTimeout: null
        detectLocalMode: ""
        enableProfiling: false
        healthzBindAddress: ""
        hostnameOverride: ""
        iptables:
          localhostNodePorts: null
          masqueradeAll: false
          masqueradeBit: null
          minSyncPeriod: 0s
          syncPeriod: 0s
        ipvs:
          excludeCIDRs:
          - 192.168.50.0/24
          minSyncPeriod: 2s
          scheduler: "wrr"
          strictARP: true
          syncPeriod: 45s
          tcpFinTimeout: 30s
          tcpTimeout: 900s
          udpTimeout: 0s
        metricsBindAddress: 0.0.0.0:10249
        mode: "ipvs"
        nodePortAddresses: null
        oomScoreAdj: null
        portRange: ""
        showHiddenMetricsForVersion: ""
        winkernel:
          enableDSR: false
        """

    @Test func kubeadmFileMapsTheFieldsThatApply() throws {
        let layer = try ConfigFile.parse(Self.kubeadm, path: "/var/lib/kube-proxy/config.conf")
        let settings = try ProxySettings.resolve([layer])
        #expect(settings.scheduler == "wrr")
        #expect(settings.syncPeriod == .seconds(45))
        #expect(settings.minSyncPeriod == .seconds(2))
        #expect(settings.excludeCIDRs.map(\.description) == ["192.168.50.0/24"])
        #expect(settings.strictARP)
        #expect(settings.ipvsTimeouts == IPVSTimeouts(tcp: 900, tcpFin: 30, udp: 0))
        #expect(settings.clusterCIDRs.map(\.description) == ["10.244.0.0/16", "fd00:10:244::/56"])
        #expect(settings.metricsBindAddress == BindAddress(host: .v4(IPv4Address(0)), port: 10249))
        // Empty means kube-proxy's default, which is also ours.
        #expect(settings.healthzBindAddress == BindAddress(host: .v4(IPv4Address(0)), port: 10256))
        #expect(settings.hostnameOverride == nil)
        #expect(settings.masqueradeAll == false)
        #expect(settings.notes.contains { $0.contains("clientConnection is kube-proxy's and does not apply") })
        #expect(settings.notes.contains { $0.contains("mode is kube-proxy's") })
        #expect(!settings.notes.contains { $0.contains("oomScoreAdj") }, "null fields are not worth a note")
    }

    @Test(arguments: [
        ("ipvs:\n  strictArp: true\n", "/k.yaml:4: key ipvs.strictArp: not a field of KubeProxyConfiguration"),
        ("clusterCidr: 10.0.0.0/8\n", "/k.yaml:3: key clusterCidr: not a field of KubeProxyConfiguration"),
        ("ipvs:\n  tcpTimeout: forever\n", "/k.yaml:4: key ipvs.tcpTimeout: \"forever\" is not a duration"),
        ("nodePortAddresses: [10.0.0.0/88]\n", "/k.yaml:3: key nodePortAddresses: \"10.0.0.0/88\" is not a CIDR"),
    ])
    func typosAndBadValuesAreErrors(body: String, message: String) throws {
        let yaml = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n" + body
        let error = #expect(throws: SettingsError.self) {
            try ProxySettings.resolve([try ConfigFile.parse(yaml, path: "/k.yaml")])
        }
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "no error")")
    }

    @Test(arguments: [
        ("syncPeriod: 10s\nipvs:\n  syncPeriod: 20s\n", Duration.seconds(20)),
        ("syncPeriod: 10s\n", .seconds(10)),
        ("ipvs:\n  syncPeriod: 20s\n", .seconds(20)),
    ])
    func modeSpecificFieldsWinOverTopLevel(body: String, expected: Duration) throws {
        let yaml = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n" + body
        #expect(try ProxySettings.resolve([try ConfigFile.parse(yaml, path: "/k.yaml")]).syncPeriod == expected)
    }

    @Test func flagsStillWinOverKubeProxyFile() throws {
        let file = try ConfigFile.parse(Self.kubeadm, path: "/k.yaml")
        let flags = try SettingsLayer.flags(["ipvs-scheduler": "lc", "ipvs-strict-arp": "false"])
        let settings = try ProxySettings.resolve([flags, file])
        #expect(settings.scheduler == "lc")
        #expect(settings.strictARP == false)
        #expect(settings.syncPeriod == .seconds(45))
    }
}
