/// The values one source gives (the file, the environment or the flags), by setting name, with the notes it
/// made (kube-proxy fields that do not apply here, which are accepted and ignored).
public struct SettingsLayer: Sendable, Hashable {
    /// Values by setting name.
    public var values: [String: RawSetting]
    /// Things worth a log line that are not errors.
    public var notes: [String]
    /// Things worth a warning at start: what was given and is not honoured (unknown fields of a kube-proxy file,
    /// kube-proxy flags without effect).
    public var warnings: [String] = []

    /// A layer.
    public init(values: [String: RawSetting] = [:], notes: [String] = [], warnings: [String] = []) {
        self.values = values
        self.notes = notes
        self.warnings = warnings
    }

    /// The built-in defaults of `keys`.
    public static func defaults(_ keys: [SettingKey] = SettingKeys.all) -> SettingsLayer {
        var layer = SettingsLayer()
        for key in keys {
            if let value = key.defaultValue { layer.values[key.name] = .text(value, from: .defaults) }
        }
        return layer
    }

    /// Command-line values: only flags actually given (nil means not given); `ignored`: the kube-proxy flags
    /// accepted without effect, as written (``KubeProxyArguments``), which make one warning.
    public static func flags(_ given: [String: String?], ignored: [String] = []) throws -> SettingsLayer {
        var layer = SettingsLayer()
        if let warning = KubeProxyFlag.warning(ignoring: ignored) { layer.warnings.append(warning) }
        for (name, value) in given {
            guard SettingKeys.named(name) != nil else {
                throw SettingsError(.unknownKey, "--\(name) is not a setting")
            }
            if let value { layer.values[name] = .text(value, from: .flag(name: name)) }
        }
        return layer
    }

    /// Every `IPVS_PROXY_*` variable of `environment`; one that names no setting is an error.
    public static func environment(_ environment: [String: String]) throws -> SettingsLayer {
        let byVariable = Dictionary(uniqueKeysWithValues: SettingKeys.all.map { ($0.environmentName, $0) })
        var layer = SettingsLayer()
        for (variable, value) in environment.sorted(by: { $0.key < $1.key })
        where variable.hasPrefix(SettingKey.environmentPrefix) && !SettingKeys.reservedEnvironment.contains(variable) {
            guard let key = byVariable[variable] else {
                throw SettingsError(
                    .unknownKey,
                    "environment variable \(variable) names no setting (known: "
                        + SettingKeys.all.map(\.environmentName).joined(separator: ", ") + ")")
            }
            layer.values[key.name] = .text(value, from: .environment(name: variable))
        }
        return layer
    }

    /// The layers merged: for each setting, the value of highest precedence (flags > environment > file >
    /// defaults). Notes are kept from all.
    public static func merged(_ layers: [SettingsLayer]) -> SettingsLayer {
        var result = SettingsLayer()
        for layer in layers {
            result.notes += layer.notes
            result.warnings += layer.warnings
            for (name, raw) in layer.values {
                if let existing = result.values[name], existing.origin.precedence > raw.origin.precedence { continue }
                result.values[name] = raw
            }
        }
        return result
    }
}
