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
        // clientConnection is honoured: kubeadm's kubeconfig, and its zero qps/burst (client-go's 5 and 10).
        #expect(settings.clientConnection.kubeconfig == "/var/lib/kube-proxy/kubeconfig.conf")
        #expect(
            settings.clientConnection.kubeconfigOrigin
                == "/var/lib/kube-proxy/config.conf:9: key clientConnection.kubeconfig")
        #expect(settings.clientConnection.qps == 0 && settings.clientConnection.burst == 0)
        #expect(!settings.notes.contains { $0.contains("clientConnection") }, "\(settings.notes)")
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

    @Test func clientConnectionFieldsAreSettings() throws {
        let yaml = """
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            clientConnection:
              kubeconfig: /etc/kube/proxy.conf
              qps: 2.5
              burst: 7
              contentType: application/vnd.kubernetes.protobuf
              acceptContentTypes: application/vnd.kubernetes.protobuf,application/json
            """
        let file = try ConfigFile.parse(yaml, path: "/k.yaml")
        let settings = try ProxySettings.resolve([file])
        #expect(settings.clientConnection.kubeconfig == "/etc/kube/proxy.conf")
        #expect(settings.clientConnection.qps == 2.5 && settings.clientConnection.burst == 7)
        #expect(settings.clientConnection.master == nil)
        #expect(
            settings.notes.contains {
                $0.hasPrefix("/k.yaml:7: key clientConnection.contentType: application/vnd.kubernetes.protobuf accepted")
                    && $0.contains("speaks JSON")
            }, "\(settings.notes)")
        #expect(
            settings.notes.contains {
                $0.contains("clientConnection.acceptContentTypes") && $0.contains("asks the API server for application/json")
            }, "\(settings.notes)")
        // Flag over environment over file, and the start line can say where the path came from.
        let environment = try SettingsLayer.environment(["IPVS_PROXY_KUBECONFIG": "/env.conf"])
        let flags = try SettingsLayer.flags(["kubeconfig": "/flag.conf", "master": "https://10.0.0.1:6443"])
        let overridden = try ProxySettings.resolve([file, environment, flags])
        #expect(overridden.clientConnection.kubeconfig == "/flag.conf")
        #expect(overridden.clientConnection.kubeconfigOrigin == "--kubeconfig")
        #expect(overridden.clientConnection.master == "https://10.0.0.1:6443")
        #expect(try ProxySettings.resolve([file, environment]).clientConnection.kubeconfig == "/env.conf")
        // JSON asked for plainly: nothing to note.
        let plain = try ProxySettings.resolve([try SettingsLayer.flags(["kube-api-content-type": "application/json"])])
        #expect(!plain.notes.contains { $0.contains("JSON") })
        #expect(plain.clientConnection.qps == 5 && plain.clientConnection.burst == 10)
    }

    @Test(arguments: [
        ("clientConnection:\n  qps: fast\n", "/k.yaml:4: key clientConnection.qps: \"fast\" is not a number"),
        ("clientConnection:\n  burst: -1\n", "/k.yaml:4: key clientConnection.burst: \"-1\" is not a whole number"),
        ("clientConnection:\n  contentType: text/plain\n", "/k.yaml:4: key clientConnection.contentType: \"text/plain\""),
        ("clientConnection:\n  acceptContentTypes: json\n", "/k.yaml:4: key clientConnection.acceptContentTypes: \"json\" is not a media type"),
        ("clientConnection:\n  kubeConfig: x\n", "/k.yaml:4: key clientConnection.kubeConfig: not a field"),
    ])
    func badClientConnectionValuesAreErrors(body: String, message: String) throws {
        let yaml = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n" + body
        let error = #expect(throws: SettingsError.self) {
            try ProxySettings.resolve([try ConfigFile.parse(yaml, path: "/k.yaml")])
        }
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "no error")")
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
