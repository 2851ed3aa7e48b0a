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
        ("ipvs:\n  tcpTimeout: forever\n", "/k.yaml:4: key ipvs.tcpTimeout: \"forever\" is not a duration"),
        ("nodePortAddresses: [10.0.0.0/88]\n", "/k.yaml:3: key nodePortAddresses: \"10.0.0.0/88\" is not a CIDR"),
        ("conntrack:\n  min: lots\n", "/k.yaml:4: key conntrack.min: \"lots\" is not a whole number"),
        ("conntrack:\n  tcpCloseWaitTimeout: 1y\n", "/k.yaml:4: key conntrack.tcpCloseWaitTimeout: \"1y\""),
        ("configSyncPeriod: -1m\n", "/k.yaml:3: key configSyncPeriod: \"-1m\" is not a duration"),
        ("logging:\n  verbosity: loud\n", "/k.yaml:4: key logging.verbosity: the verbosity is a whole number"),
        ("detectLocalMode: NodeCIDR\n", "/k.yaml:3: key detectLocalMode: nodecidr is not supported"),
        ("detectLocalMode: BridgeInterface\n", "/k.yaml:3: key detectLocalMode: bridgeinterface is not supported"),
        ("detectLocalMode: Sideways\n", "/k.yaml:3: key detectLocalMode: \"Sideways\" is not one of"),
    ])
    func badValuesAreErrors(body: String, message: String) throws {
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

    /// kube-proxy decodes strictly, then leniently with a warning: fields it does not know (a newer or older
    /// file's, or a typo) are named in one warning, and the rest of the file applies.
    @Test func unknownFieldsAreOneWarningAndTheRestApplies() throws {
        let yaml = """
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            udpIdleTimeout: 250ms
            ipvs:
              strictArp: true
              scheduler: lc
            iptables:
              snatNodeInternalIP: true
            """
        let settings = try ProxySettings.resolve([try ConfigFile.parse(yaml, path: "/k.yaml")])
        #expect(settings.scheduler == "lc")
        #expect(!settings.strictARP)
        #expect(
            settings.warnings == [
                "/k.yaml: strict decoding failed, decoded leniently as kube-proxy does: unknown fields of "
                    + "KubeProxyConfiguration kubeproxy.config.k8s.io/v1alpha1 ignored: udpIdleTimeout (line 3), "
                    + "ipvs.strictArp (line 5)"
            ])
        #expect(settings.notes.contains { $0.contains("iptables.snatNodeInternalIP is kube-proxy's") })
    }

    /// conntrack, configSyncPeriod, logging.verbosity, detectLocalMode and nodePortAddresses: [primary].
    @Test func conntrackAndTheOtherNodeFieldsMap() throws {
        let yaml = """
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            conntrack:
              maxPerCore: 65536
              min: 0
              tcpEstablishedTimeout: 12h
              tcpCloseWaitTimeout: 30m
              tcpBeLiberal: true
              udpTimeout: 30s
              udpStreamTimeout: 2m
            configSyncPeriod: 5m
            logging:
              verbosity: 4
              format: text
            detectLocalMode: ClusterCIDR
            nodePortAddresses: [primary]
            bindAddress: 192.168.1.5
            """
        let settings = try ProxySettings.resolve([try ConfigFile.parse(yaml, path: "/k.yaml")])
        #expect(
            settings.conntrack
                == ConntrackLimits(
                    maxPerCore: 65536, min: 0, tcpEstablishedTimeout: 43200, tcpCloseWaitTimeout: 1800,
                    tcpBeLiberal: true, udpTimeout: 30, udpStreamTimeout: 120))
        #expect(settings.configSyncPeriod == .seconds(300))
        #expect(settings.logLevel == "debug")
        #expect(settings.nodePortAddressesPrimary && settings.bindAddress?.description == "192.168.1.5")
        #expect(settings.notes.contains { $0.contains("logging.format is kube-proxy's") })
        // kubeadm's nulls and zero configSyncPeriod are kube-proxy's defaults.
        let kubeadm = try ProxySettings.resolve([try ConfigFile.parse(Self.kubeadm, path: "/k.yaml")])
        #expect(kubeadm.conntrack == ConntrackLimits())
        #expect(kubeadm.configSyncPeriod == .seconds(900))
    }
}
