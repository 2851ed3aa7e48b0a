/// Translates a command line written for kube-proxy into one `ipvs-proxy run` parses (swift-argument-parser stays
/// the parser; this only rewrites what it cannot take as kube-proxy's pflag writes it), by ``KubeProxyFlag/all``:
///
/// - booleans in pflag's forms: `--masquerade-all=true` becomes `--masquerade-all`, `=false` `--no-masquerade-all`
///   (also for ipvs-proxy's own boolean settings);
/// - kube-proxy's names that differ: `--ipvs-sync-period` is `--sync-period`, `-v 4` is `--log-level debug`,
///   `--healthz-port 10256` is `--healthz-bind-address 0.0.0.0:10256`;
/// - flags without meaning here are taken out, with their values, and passed as `--ignored-kube-proxy-flag`, for
///   the one warning at start (``KubeProxyFlag/warning(ignoring:)``);
/// - refused flags are an error naming the flag and why.
///
/// Anything else (ipvs-proxy's own flags, a typo) is left for the parser. Nothing after `--` is touched.
public enum KubeProxyArguments {
    /// The hidden option that carries the flags accepted without effect to the settings.
    public static let ignoredOption = "ignored-kube-proxy-flag"

    /// The translated command line.
    public static func translate(_ arguments: [String]) throws -> [String] {
        var output: [String] = []
        var ignored: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                output += arguments[(index - 1)...]
                break
            }
            guard let (name, inline) = split(argument) else {
                output.append(argument)
                continue
            }
            guard let flag = KubeProxyFlag.named(name) else {
                // ipvs-proxy's own boolean settings take pflag's forms too.
                if let inline, SettingKeys.named(name)?.kind == .bool {
                    output += try boolean(name, inline, target: name)
                } else {
                    output.append(argument)
                }
                continue
            }
            var value = inline ?? ""
            if !flag.isBool && inline == nil {
                guard index < arguments.count else {
                    throw SettingsError(.badValue, "\(dashes(name))\(name): needs a value")
                }
                value = arguments[index]
                index += 1
            }
            let written = dashes(name) + name + (flag.isBool && inline == nil ? "" : "=" + value)
            switch flag.disposition {
            case .setting(let target), .command(let target):
                output += flag.isBool ? try boolean(name, inline ?? "true", target: target) : option(target, value)
            case .verbosity:
                guard let level = KubeProxyFlag.logLevel(verbosity: value) else {
                    throw SettingsError(.badValue, "\(written): the verbosity is a whole number (like 2 or 4)")
                }
                output.append("--\(SettingKeys.logLevel.name)=\(level)")
            case .port(let setting, let host):
                guard let port = Int(value), (0...65535).contains(port) else {
                    throw SettingsError(.badValue, "\(written): not a port (0 turns the server off)")
                }
                output += option(setting, port == 0 ? "" : "\(host):\(port)")
            case .proxyMode:
                if !["", "ipvs"].contains(value.lowercased()) { ignored.append(written) }
            case .warned:
                if flag.isBool, let inline, KubeProxyFlag.bool(inline) == nil {
                    throw SettingsError(.badValue, "\(written): \"\(inline)\" is not true or false")
                }
                ignored.append(written)
            case .refused(let reason):
                throw SettingsError(.unsupported, "\(written): not supported: \(reason)")
            }
        }
        return output + ignored.map { "--\(ignoredOption)=\($0)" }
    }

    /// An option for swift-argument-parser: `--name=value`, which keeps a value that starts with a dash, or, for an
    /// empty value (a server turned off), `--name` and `""` apart: the parser reads `--name=` as a missing value.
    static func option(_ name: String, _ value: String) -> [String] {
        value.isEmpty ? ["--\(name)", ""] : ["--\(name)=\(value)"]
    }

    /// `--name[=value]` or, for klog's verbosity, `-v`, `-v=4`, `-v4`; nil for anything else.
    static func split(_ argument: String) -> (name: String, value: String?)? {
        if argument.hasPrefix("--") {
            let body = argument.dropFirst(2)
            guard !body.isEmpty else { return nil }
            guard let equals = body.firstIndex(of: "=") else { return (String(body), nil) }
            return (String(body[..<equals]), String(body[body.index(after: equals)...]))
        }
        guard argument.hasPrefix("-v") else { return nil }
        let rest = argument.dropFirst(2)
        if rest.isEmpty { return ("v", nil) }
        if rest.hasPrefix("=") { return ("v", String(rest.dropFirst())) }
        return rest.allSatisfy(\.isNumber) ? ("v", String(rest)) : nil
    }

    /// `--target` or `--no-target` for a pflag boolean; `--cleanup=false` (no negation) is nothing.
    static func boolean(_ name: String, _ text: String, target: String) throws -> [String] {
        guard let value = KubeProxyFlag.bool(text) else {
            throw SettingsError(.badValue, "--\(name)=\(text): \"\(text)\" is not true or false")
        }
        if value { return ["--\(target)"] }
        return SettingKeys.named(target) != nil ? ["--no-\(target)"] : []
    }

    static func dashes(_ name: String) -> String { name.count == 1 ? "-" : "--" }
}
