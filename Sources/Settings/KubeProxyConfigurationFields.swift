import Yams

/// How kube-proxy's `KubeProxyConfiguration` (kubeproxy.config.k8s.io/v1alpha1) maps onto ipvs-proxy's
/// settings. Fields with the same meaning are taken; fields that only make sense for kube-proxy are accepted and
/// noted as ignored, so a cluster's existing file can be used as it is; anything else is a typo and an error.
/// kube-proxy's zero values (empty text, null) mean "the default", as they do for kube-proxy.
public enum KubeProxyConfigurationFields {
    public static let apiVersion = "kubeproxy.config.k8s.io/v1alpha1"
    public static let kind = "KubeProxyConfiguration"

    /// Dotted field path → setting name. Later entries win over earlier ones when both are set
    /// (`ipvs.syncPeriod` over the top-level `syncPeriod`; `nftables.masqueradeAll` over `iptables.masqueradeAll`).
    public static let mapped: [(path: String, setting: String)] = [
        ("hostnameOverride", SettingKeys.hostnameOverride.name),
        ("healthzBindAddress", SettingKeys.healthzBindAddress.name),
        ("metricsBindAddress", SettingKeys.metricsBindAddress.name),
        ("clusterCIDR", SettingKeys.clusterCIDR.name),
        ("nodePortAddresses", SettingKeys.nodePortAddresses.name),
        ("bindAddress", SettingKeys.bindAddress.name),
        ("syncPeriod", SettingKeys.syncPeriod.name),
        ("minSyncPeriod", SettingKeys.minSyncPeriod.name),
        ("iptables.masqueradeAll", SettingKeys.masqueradeAll.name),
        ("nftables.masqueradeAll", SettingKeys.masqueradeAll.name),
        ("ipvs.syncPeriod", SettingKeys.syncPeriod.name),
        ("ipvs.minSyncPeriod", SettingKeys.minSyncPeriod.name),
        ("ipvs.scheduler", SettingKeys.scheduler.name),
        ("ipvs.excludeCIDRs", SettingKeys.excludeCIDRs.name),
        ("ipvs.strictARP", SettingKeys.strictARP.name),
        ("ipvs.tcpTimeout", SettingKeys.tcpTimeout.name),
        ("ipvs.tcpFinTimeout", SettingKeys.tcpFinTimeout.name),
        ("ipvs.udpTimeout", SettingKeys.udpTimeout.name),
        ("clientConnection.kubeconfig", SettingKeys.kubeconfig.name),
        ("clientConnection.qps", SettingKeys.kubeAPIQPS.name),
        ("clientConnection.burst", SettingKeys.kubeAPIBurst.name),
        ("clientConnection.contentType", SettingKeys.kubeAPIContentType.name),
        ("clientConnection.acceptContentTypes", SettingKeys.kubeAPIAcceptContentTypes.name),
    ]

    /// Fields (or whole sections) of kube-proxy's that do not apply to ipvs-proxy: read, noted, ignored.
    public static let ignored: Set<String> = [
        "featureGates", "bindAddressHardFail", "enableProfiling", "showHiddenMetricsForVersion",
        "logging", "mode", "portRange", "oomScoreAdj", "conntrack", "configSyncPeriod",
        "winkernel", "windowsRunAsService", "detectLocalMode", "detectLocal",
        "iptables.masqueradeBit", "iptables.localhostNodePorts", "iptables.syncPeriod", "iptables.minSyncPeriod",
        "nftables.masqueradeBit", "nftables.syncPeriod", "nftables.minSyncPeriod",
    ]

    /// Sections whose fields are looked up one by one.
    static let sections: Set<String> = ["iptables", "ipvs", "nftables", "clientConnection"]

    /// Reads a KubeProxyConfiguration mapping.
    static func read(_ mapping: Node.Mapping, path: String) throws -> SettingsLayer {
        var found: [String: (Node, Int?)] = [:]
        var layer = SettingsLayer()
        for (keyNode, valueNode) in mapping {
            let key = keyNode.string ?? "\(keyNode)"
            if key == "apiVersion" || key == "kind" { continue }
            if sections.contains(key), let section = valueNode.mapping {
                for (innerKey, innerValue) in section {
                    let dotted = key + "." + (innerKey.string ?? "\(innerKey)")
                    try classify(
                        dotted, innerValue, line: innerKey.mark?.line, path: path, into: &found, notes: &layer.notes)
                }
            } else if sections.contains(key), valueNode.null != nil {
                continue
            } else {
                try classify(key, valueNode, line: keyNode.mark?.line, path: path, into: &found, notes: &layer.notes)
            }
        }
        for (dotted, setting) in mapped {
            guard let (node, line) = found[dotted] else { continue }
            let origin = SettingOrigin.file(path: path, key: dotted, line: line)
            guard let value = try ConfigFile.scalarOrList(node, origin: origin) else { continue }
            if case .text(let text) = value, text.isEmpty { continue }
            if case .list(let items) = value, items.isEmpty { continue }
            layer.values[setting] = RawSetting(value, from: origin)
        }
        return layer
    }

    private static func classify(
        _ dotted: String, _ node: Node, line: Int?, path: String,
        into found: inout [String: (Node, Int?)], notes: inout [String]
    ) throws {
        if mapped.contains(where: { $0.path == dotted }) {
            found[dotted] = (node, line)
        } else if ignored.contains(dotted) {
            if node.null == nil { notes.append("\(path): \(dotted) is kube-proxy's and does not apply; ignored") }
        } else {
            throw SettingsError(
                .unknownKey,
                "\(SettingOrigin.file(path: path, key: dotted, line: line)): not a field of "
                    + "\(kind) \(apiVersion)")
        }
    }
}
