import Values
import Yams

/// How kube-proxy's `KubeProxyConfiguration` (kubeproxy.config.k8s.io/v1alpha1) maps onto ipvs-proxy's
/// settings: one entry per field of `staging/src/k8s.io/kube-proxy/config/v1alpha1/types.go`. Fields with the same
/// meaning are taken; fields that only make sense for kube-proxy are accepted and noted as ignored. Decoding is
/// kube-proxy's: strict first, and when that fails only for fields it does not know (a newer or older file's, or a
/// typo), lenient, with one warning naming them. kube-proxy's zero values (empty text, null) mean "the default", as
/// they do for kube-proxy, and so does a zero `syncPeriod`, `ipvs.syncPeriod` or `configSyncPeriod` (its defaulting).
public enum KubeProxyConfigurationFields {
    public static let apiVersion = "kubeproxy.config.k8s.io/v1alpha1"
    public static let kind = "KubeProxyConfiguration"

    /// What a field does here.
    public enum Disposition: Sendable, Hashable {
        /// The setting of that name.
        case mapped(String)
        /// `logging.verbosity`: klog's verbosity, as `log-level`.
        case verbosity
        /// Accepted, noted at start as not applying, for this reason.
        case ignored(String)
    }

    static let iptables = "iptables mode only"
    static let nftables = "nftables mode only"
    static let windows = "Windows (winkernel) only"
    static let logging = "ipvs-proxy logs with its own --log-level"

    /// Every field, by dotted path. Later entries win over earlier ones when both are set (`ipvs.syncPeriod` over
    /// the top-level `syncPeriod`; `nftables.masqueradeAll` over `iptables.masqueradeAll`).
    public static let fields: [(path: String, disposition: Disposition)] = [
        ("featureGates", .ignored("kube-proxy's feature gates; ipvs-proxy has none")),
        ("clientConnection.kubeconfig", .mapped(SettingKeys.kubeconfig.name)),
        ("clientConnection.acceptContentTypes", .mapped(SettingKeys.kubeAPIAcceptContentTypes.name)),
        ("clientConnection.contentType", .mapped(SettingKeys.kubeAPIContentType.name)),
        ("clientConnection.qps", .mapped(SettingKeys.kubeAPIQPS.name)),
        ("clientConnection.burst", .mapped(SettingKeys.kubeAPIBurst.name)),
        ("logging.verbosity", .verbosity),
        ("logging.format", .ignored(logging)),
        ("logging.flushFrequency", .ignored(logging)),
        ("logging.vmodule", .ignored(logging)),
        ("logging.options", .ignored(logging)),
        ("hostnameOverride", .mapped(SettingKeys.hostnameOverride.name)),
        ("bindAddress", .mapped(SettingKeys.bindAddress.name)),
        ("healthzBindAddress", .mapped(SettingKeys.healthzBindAddress.name)),
        ("metricsBindAddress", .mapped(SettingKeys.metricsBindAddress.name)),
        ("bindAddressHardFail", .ignored("an address that cannot be bound is logged, never fatal")),
        ("enableProfiling", .ignored("ipvs-proxy serves no /debug/pprof")),
        ("showHiddenMetricsForVersion", .ignored("ipvs-proxy hides no deprecated metric")),
        ("mode", .ignored("ipvs-proxy programs IPVS whatever the mode")),
        ("iptables.masqueradeBit", .ignored(iptables)),
        ("iptables.masqueradeAll", .mapped(SettingKeys.masqueradeAll.name)),
        ("iptables.localhostNodePorts", .ignored(iptables)),
        ("iptables.snatNodeInternalIP", .ignored(iptables)),
        ("iptables.syncPeriod", .ignored(iptables)),
        ("iptables.minSyncPeriod", .ignored(iptables)),
        ("syncPeriod", .mapped(SettingKeys.syncPeriod.name)),
        ("minSyncPeriod", .mapped(SettingKeys.minSyncPeriod.name)),
        ("ipvs.syncPeriod", .mapped(SettingKeys.syncPeriod.name)),
        ("ipvs.minSyncPeriod", .mapped(SettingKeys.minSyncPeriod.name)),
        ("ipvs.scheduler", .mapped(SettingKeys.scheduler.name)),
        ("ipvs.excludeCIDRs", .mapped(SettingKeys.excludeCIDRs.name)),
        ("ipvs.strictARP", .mapped(SettingKeys.strictARP.name)),
        ("ipvs.tcpTimeout", .mapped(SettingKeys.tcpTimeout.name)),
        ("ipvs.tcpFinTimeout", .mapped(SettingKeys.tcpFinTimeout.name)),
        ("ipvs.udpTimeout", .mapped(SettingKeys.udpTimeout.name)),
        ("nftables.masqueradeBit", .ignored(nftables)),
        ("nftables.masqueradeAll", .mapped(SettingKeys.masqueradeAll.name)),
        ("nftables.syncPeriod", .ignored(nftables)),
        ("nftables.minSyncPeriod", .ignored(nftables)),
        ("winkernel.networkName", .ignored(windows)),
        ("winkernel.sourceVip", .ignored(windows)),
        ("winkernel.enableDSR", .ignored(windows)),
        ("winkernel.rootHnsEndpointName", .ignored(windows)),
        ("winkernel.forwardHealthCheckVip", .ignored(windows)),
        ("detectLocalMode", .mapped(SettingKeys.detectLocalMode.name)),
        ("detectLocal.bridgeInterface", .ignored("only for detectLocalMode BridgeInterface, which is refused")),
        ("detectLocal.interfaceNamePrefix", .ignored("only for detectLocalMode InterfaceNamePrefix, which is refused")),
        ("clusterCIDR", .mapped(SettingKeys.clusterCIDR.name)),
        ("nodePortAddresses", .mapped(SettingKeys.nodePortAddresses.name)),
        ("oomScoreAdj", .ignored("the OOM score is the kubelet's (the pod's QoS)")),
        ("conntrack.maxPerCore", .mapped(SettingKeys.conntrackMaxPerCore.name)),
        ("conntrack.min", .mapped(SettingKeys.conntrackMin.name)),
        ("conntrack.tcpEstablishedTimeout", .mapped(SettingKeys.conntrackTCPEstablished.name)),
        ("conntrack.tcpCloseWaitTimeout", .mapped(SettingKeys.conntrackTCPCloseWait.name)),
        ("conntrack.tcpBeLiberal", .mapped(SettingKeys.conntrackTCPBeLiberal.name)),
        ("conntrack.udpTimeout", .mapped(SettingKeys.conntrackUDPTimeout.name)),
        ("conntrack.udpStreamTimeout", .mapped(SettingKeys.conntrackUDPStreamTimeout.name)),
        ("configSyncPeriod", .mapped(SettingKeys.configSyncPeriod.name)),
        ("portRange", .ignored("the userspace proxy's, unused by kube-proxy too")),
        ("windowsRunAsService", .ignored(windows)),
    ]

    /// Fields whose zero value kube-proxy's defaulting replaces: zero is "the default" here too.
    static let zeroIsDefault: Set<String> = ["syncPeriod", "ipvs.syncPeriod", "configSyncPeriod"]

    /// Sections whose fields are looked up one by one.
    static let sections: Set<String> = Set(
        fields.compactMap { field in field.path.firstIndex(of: ".").map { String(field.path[..<$0]) } })

    private static let byPath = Dictionary(fields.map { ($0.path, $0.disposition) }) { first, _ in first }

    /// Reads a KubeProxyConfiguration mapping.
    static func read(_ mapping: Node.Mapping, path: String) throws -> SettingsLayer {
        var found: [String: (Node, Int?)] = [:]
        var unknown: [String] = []
        var layer = SettingsLayer()
        func classify(_ dotted: String, _ node: Node, line: Int?) {
            switch byPath[dotted] {
            case .mapped, .verbosity: found[dotted] = (node, line)
            case .ignored(let reason):
                if node.null == nil {
                    layer.notes.append("\(path): \(dotted) is kube-proxy's and does not apply (\(reason)); ignored")
                }
            case nil: unknown.append(dotted + (line.map { " (line \($0))" } ?? ""))
            }
        }
        for (keyNode, valueNode) in mapping {
            let key = keyNode.string ?? "\(keyNode)"
            if key == "apiVersion" || key == "kind" { continue }
            if sections.contains(key), let section = valueNode.mapping {
                for (innerKey, innerValue) in section {
                    classify(key + "." + (innerKey.string ?? "\(innerKey)"), innerValue, line: innerKey.mark?.line)
                }
            } else if sections.contains(key), valueNode.null != nil {
                continue
            } else {
                classify(key, valueNode, line: keyNode.mark?.line)
            }
        }
        if !unknown.isEmpty {
            layer.warnings.append(
                "\(path): strict decoding failed, decoded leniently as kube-proxy does: unknown fields of \(kind) "
                    + "\(apiVersion) ignored: " + unknown.joined(separator: ", "))
        }
        for (dotted, disposition) in fields {
            guard let (node, line) = found[dotted] else { continue }
            let origin = SettingOrigin.file(path: path, key: dotted, line: line)
            guard var value = try ConfigFile.scalarOrList(node, origin: origin) else { continue }
            if case .text(let text) = value, text.isEmpty { continue }
            if case .list(let items) = value, items.isEmpty { continue }
            if zeroIsDefault.contains(dotted), case .text(let text) = value,
                GoDuration.parse(text, bareSeconds: true) == .zero
            {
                continue
            }
            switch disposition {
            case .mapped(let setting): layer.values[setting] = RawSetting(value, from: origin)
            case .verbosity:
                guard case .text(let text) = value, let level = KubeProxyFlag.logLevel(verbosity: text) else {
                    throw SettingsError(.badValue, "\(origin): the verbosity is a whole number (like 2 or 4)")
                }
                value = .text(level)
                layer.values[SettingKeys.logLevel.name] = RawSetting(value, from: origin)
            case .ignored: continue
            }
        }
        return layer
    }
}
