import Foundation
import Yams

/// Reads a config file into a settings layer. Two shapes are accepted:
/// - ipvs-proxy's own: a YAML mapping whose keys are the flag names (`ipvs-scheduler: wrr`), optionally with
///   `apiVersion: ipvs-proxy.io/v1alpha1` and `kind: ProxyConfiguration`;
/// - kube-proxy's `KubeProxyConfiguration` (`apiVersion: kubeproxy.config.k8s.io/v1alpha1`): the fields that
///   apply are mapped (``KubeProxyConfigurationFields``), those that do not are noted and ignored.
/// A key known to neither is an error naming the file, the line and the key.
public enum ConfigFile {
    /// ipvs-proxy's own apiVersion and kind.
    public static let apiVersion = "ipvs-proxy.io/v1alpha1"
    public static let kind = "ProxyConfiguration"

    /// Reads and parses the file at `path`.
    public static func load(path: String) throws -> SettingsLayer {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SettingsError(.unreadableFile, "config file \(path): cannot read it", cause: error)
        }
        return try parse(text, path: path)
    }

    /// Parses `text`; `path` names it in errors.
    public static func parse(_ text: String, path: String) throws -> SettingsLayer {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw SettingsError(.malformedFile, "config file \(path): not valid YAML", cause: error)
        }
        guard let root else { return SettingsLayer() }
        guard let mapping = root.mapping else {
            throw SettingsError(.malformedFile, "config file \(path): expected a mapping of settings")
        }
        let apiVersion = mapping["apiVersion"]?.string
        let kind = mapping["kind"]?.string
        switch (apiVersion, kind) {
        case (KubeProxyConfigurationFields.apiVersion, KubeProxyConfigurationFields.kind):
            return try KubeProxyConfigurationFields.read(mapping, path: path)
        case (nil, nil), (Self.apiVersion, Self.kind):
            return try readOwn(mapping, path: path)
        default:
            throw SettingsError(
                .malformedFile,
                "config file \(path): apiVersion \(apiVersion ?? "(none)") kind \(kind ?? "(none)") is neither "
                    + "\(Self.apiVersion) \(Self.kind) nor \(KubeProxyConfigurationFields.apiVersion) "
                    + "\(KubeProxyConfigurationFields.kind)")
        }
    }

    static func readOwn(_ mapping: Node.Mapping, path: String) throws -> SettingsLayer {
        var layer = SettingsLayer()
        for (keyNode, valueNode) in mapping {
            let key = keyNode.string ?? "\(keyNode)"
            if key == "apiVersion" || key == "kind" { continue }
            let origin = SettingOrigin.file(path: path, key: key, line: keyNode.mark?.line)
            guard SettingKeys.named(key) != nil else {
                throw SettingsError(
                    .unknownKey,
                    "\(origin): no such setting (known: \(SettingKeys.all.map(\.name).joined(separator: ", ")))")
            }
            if let value = try scalarOrList(valueNode, origin: origin) {
                layer.values[key] = RawSetting(value, from: origin)
            }
        }
        return layer
    }

    /// A scalar or a sequence of scalars; nil for YAML null.
    static func scalarOrList(_ node: Node, origin: SettingOrigin) throws -> RawSetting.Value? {
        switch node {
        case .scalar(let scalar):
            if node.null != nil { return nil }
            return .text(scalar.string)
        case .sequence(let sequence):
            return .list(
                try sequence.map { item in
                    guard let text = item.scalar?.string else {
                        throw SettingsError(.badValue, "\(origin): list items must be plain values")
                    }
                    return text
                })
        case .mapping, .alias:
            throw SettingsError(.badValue, "\(origin): expected a value or a list, not a mapping")
        }
    }
}
