import Foundation
import Settings
import Testing

/// kube-proxy's command line, translated by the one list (`KubeProxyFlag.all`), flag by flag; and the docs' table
/// checked against the same list, row by row.
@Suite struct KubeProxyFlagsTests {
    /// The flag as an operator writes it, with its sample value (pflag's `--name value` form for valued flags).
    static func written(_ flag: KubeProxyFlag) -> [String] {
        let name = (flag.name.count == 1 ? "-" : "--") + flag.name
        return flag.isBool ? [name] : [name, flag.sample]
    }

    /// What the docs' table says of the flag: its second column starts with this.
    static func documented(_ flag: KubeProxyFlag) -> String {
        switch flag.disposition {
        case .setting(let target) where target == flag.name: "accepted"
        case .setting(let target): "mapped to `--\(target)`"
        case .command: "accepted"
        case .verbosity: "mapped to `--log-level`"
        case .port(let setting, _): "mapped to `--\(setting)`"
        case .proxyMode: "accepted (`ipvs`), warned (other modes)"
        case .warned: "warned"
        case .refused: "refused"
        }
    }

    @Test(arguments: KubeProxyFlag.all)
    func eachFlagIsTranslatedAsListed(flag: KubeProxyFlag) throws {
        let arguments = Self.written(flag)
        switch flag.disposition {
        case .setting(let target):
            let key = try #require(SettingKeys.named(target), "--\(flag.name) maps to no setting")
            let expected = flag.isBool ? ["--\(target)"] : ["--\(target)=\(flag.sample)"]
            #expect(try KubeProxyArguments.translate(arguments) == expected)
            // A boolean is one here too, and the sample is a value the setting takes.
            #expect((key.kind == .bool) == flag.isBool)
            _ = try ProxySettings.resolve([try SettingsLayer.flags([target: flag.sample])])
        case .command(let option):
            let expected = flag.isBool ? ["--\(option)"] : ["--\(option)=\(flag.sample)"]
            #expect(try KubeProxyArguments.translate(arguments) == expected)
        case .verbosity:
            #expect(try KubeProxyArguments.translate(arguments) == ["--log-level=debug"])
        case .port(let setting, let host):
            #expect(try KubeProxyArguments.translate(arguments) == ["--\(setting)=\(host):\(flag.sample)"])
        case .proxyMode:
            #expect(try KubeProxyArguments.translate(arguments).isEmpty)
        case .warned(let reason):
            let written = arguments.joined(separator: "=")
            #expect(try KubeProxyArguments.translate(arguments) == ["--\(KubeProxyArguments.ignoredOption)=\(written)"])
            let warning = try #require(KubeProxyFlag.warning(ignoring: [written]))
            #expect(warning.contains(written) && warning.contains(reason))
        case .refused(let reason):
            let error = #expect(throws: SettingsError.self) { try KubeProxyArguments.translate(arguments) }
            #expect(error?.code == .unsupported && error?.message.contains(reason) == true)
        }
    }

    @Test(arguments: [
        (["--masquerade-all=true"], ["--masquerade-all"]),
        (["--masquerade-all=false"], ["--no-masquerade-all"]),
        (["--ipvs-strict-arp=T"], ["--ipvs-strict-arp"]),
        (["--ipvs-strict-arp=0"], ["--no-ipvs-strict-arp"]),
        (["--ipvs-strict-arp"], ["--ipvs-strict-arp"]),
        (["--adopt=true"], ["--adopt"]),
        (["--cleanup=false"], []),
        (["--cleanup=true"], ["--cleanup"]),
        (["-v", "2"], ["--log-level=info"]),
        (["-v=4"], ["--log-level=debug"]),
        (["-v6"], ["--log-level=trace"]),
        (["--v=5"], ["--log-level=debug"]),
        (["--ipvs-sync-period=45s"], ["--sync-period=45s"]),
        (["--healthz-port", "0"], ["--healthz-bind-address", ""]),
        (["--healthz-bind-address", ""], ["--healthz-bind-address", ""]),
        (["--metrics-bind-address="], ["--metrics-bind-address", ""]),
        (["--proxy-mode=iptables"], ["--ignored-kube-proxy-flag=--proxy-mode=iptables"]),
        (["--proxy-mode", "IPVS"], []),
        (["--ipvs-scheduler", "wrr", "--", "--v=1"], ["--ipvs-scheduler=wrr", "--", "--v=1"]),
        (["--interface", "i", "--profiling=0"], ["--interface", "i", "--ignored-kube-proxy-flag=--profiling=0"]),
    ])
    func pflagForms(arguments: [String], expected: [String]) throws {
        #expect(try KubeProxyArguments.translate(arguments) == expected)
    }

    @Test(arguments: [
        (["--masquerade-all=yes"], "--masquerade-all=yes: \"yes\" is not true or false"),
        (["-v", "loud"], "-v=loud: the verbosity is a whole number"),
        (["--healthz-port", "99999"], "--healthz-port=99999: not a port"),
        (["--ipvs-scheduler"], "--ipvs-scheduler: needs a value"),
        (["--init-only"], "--init-only: not supported"),
    ])
    func badFormsAreErrorsNamingTheFlag(arguments: [String], message: String) {
        let error = #expect(throws: SettingsError.self) { try KubeProxyArguments.translate(arguments) }
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "no error")")
    }

    /// Several flags without effect make one warning, naming each with its reason.
    @Test func flagsWithoutEffectMakeOneWarning() throws {
        let layer = try SettingsLayer.flags(
            [:], ignored: ["--feature-gates=A=true", "--oom-score-adj=-999", "--proxy-mode=iptables"])
        let settings = try ProxySettings.resolve([layer])
        #expect(settings.warnings.count == 1)
        let warning = try #require(settings.warnings.first)
        #expect(warning.contains("--feature-gates=A=true (kube-proxy's feature gates do not apply"))
        #expect(warning.contains("--oom-score-adj=-999 (ipvs-proxy leaves its OOM score"))
        #expect(warning.contains("--proxy-mode=iptables (ipvs-proxy programs IPVS whatever the mode)"))
        #expect(try ProxySettings.resolve([try SettingsLayer.flags([:])]).warnings.isEmpty)
    }

    // MARK: the docs

    static func docsTable(_ heading: String) throws -> [String: String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent("docs/configuration.md").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let section = try #require(text.components(separatedBy: heading).dropFirst().first, "no \(heading)")
        var rows: [String: String] = [:]
        let lines = section.split(separator: "\n").drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
        for line in lines {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, cells[0].hasPrefix("`") else { continue }
            rows[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = cells[1]
        }
        return rows
    }

    @Test func docsListEveryFlagAsTheParserTakesIt() throws {
        let rows = try Self.docsTable("## kube-proxy's flags")
        let names = KubeProxyFlag.all.map { ($0.name.count == 1 ? "-" : "--") + $0.name }
        #expect(Set(rows.keys) == Set(names))
        for flag in KubeProxyFlag.all {
            let row = rows[(flag.name.count == 1 ? "-" : "--") + flag.name] ?? ""
            #expect(row.hasPrefix(Self.documented(flag)), "--\(flag.name): docs say \"\(row)\"")
        }
    }

    @Test func docsListEveryConfigurationField() throws {
        let rows = try Self.docsTable("## KubeProxyConfiguration fields")
        #expect(Set(rows.keys) == Set(KubeProxyConfigurationFields.fields.map(\.path)))
        for (path, disposition) in KubeProxyConfigurationFields.fields {
            let expected =
                switch disposition {
                case .mapped(let setting): "mapped to `\(setting)`"
                case .verbosity: "mapped to `log-level`"
                case .ignored: "ignored"
                }
            #expect(rows[path]?.hasPrefix(expected) == true, "\(path): docs say \"\(rows[path] ?? "nothing")\"")
        }
    }
}
