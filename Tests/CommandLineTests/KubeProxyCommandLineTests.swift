import Settings
import Testing

@testable import ipvs_proxy

/// Every kube-proxy flag, as kube-proxy's pflag takes it, through the real parser: `ipvs-proxy run` parses it
/// after `KubeProxyArguments` and it yields the setting the list (`KubeProxyFlag.all`) and the docs say, or the
/// one warning.
@Suite struct KubeProxyCommandLineTests {
    static func written(_ flag: KubeProxyFlag) -> [String] {
        let name = (flag.name.count == 1 ? "-" : "--") + flag.name
        return flag.isBool ? [name] : [name, flag.sample]
    }

    /// `ipvs-proxy run ARGUMENTS` as the binary parses it.
    static func run(_ arguments: [String]) throws -> RunCommand {
        let parsed = try IPVSProxyCommand.parseAsRoot(try IPVSProxyCommand.arguments(["run"] + arguments))
        return try #require(parsed as? RunCommand)
    }

    /// The settings flags the command gives, by setting name.
    static func given(_ command: RunCommand) -> [String: String] {
        command.proxy.given.merging(command.extraFlags) { $1 }.compactMapValues { $0 }
    }

    @Test(arguments: KubeProxyFlag.all.filter { if case .refused = $0.disposition { false } else { true } })
    func eachFlagParsesToWhatTheListSays(flag: KubeProxyFlag) throws {
        let command = try Self.run(Self.written(flag))
        let given = Self.given(command)
        switch flag.disposition {
        case .setting(let target):
            #expect(given == [target: flag.isBool ? "true" : flag.sample])
            #expect(command.proxy.ignoredKubeProxyFlags.isEmpty)
        case .command("config"):
            #expect(command.proxy.config == flag.sample && given.isEmpty)
        case .command("cleanup"):
            #expect(command.cleanup && given.isEmpty)
        case .verbosity:
            #expect(given == ["log-level": "debug"])
        case .port(let setting, let host):
            #expect(given == [setting: "\(host):\(flag.sample)"])
        case .proxyMode:
            #expect(given.isEmpty && command.proxy.ignoredKubeProxyFlags.isEmpty)
        case .warned:
            #expect(given.isEmpty)
            #expect(command.proxy.ignoredKubeProxyFlags == [Self.written(flag).joined(separator: "=")])
        case .command, .refused:
            Issue.record("unexpected row \(flag.name)")
        }
    }

    /// pflag's `=false` overrides a config file's true: every boolean setting has its negation.
    @Test(arguments: KubeProxyFlag.all.filter { if case .setting = $0.disposition { $0.isBool } else { false } })
    func booleansTakeFalse(flag: KubeProxyFlag) throws {
        guard case .setting(let target) = flag.disposition else { return }
        #expect(Self.given(try Self.run(["--\(flag.name)=false"])) == [target: "false"])
    }

    /// A command line as a kube-proxy DaemonSet writes it, whole: settings resolve, one warning names the flags
    /// without effect.
    @Test func aKubeProxyCommandLineRuns() throws {
        let command = try Self.run([
            "--masquerade-all=true", "--ipvs-strict-arp=true", "--nodeport-addresses", "primary", "-v=2",
            "--feature-gates=A=true", "--proxy-mode=ipvs", "--ipvs-sync-period=45s", "--conntrack-min=262144",
            "--hostname-override=node-1", "--oom-score-adj=-999",
        ])
        let settings = try command.proxy.settings(extraFlags: command.extraFlags, environment: [:])
        #expect(settings.masqueradeAll && settings.strictARP && settings.nodePortAddressesPrimary)
        #expect(settings.syncPeriod == .seconds(45) && settings.conntrack.min == 262144)
        #expect(settings.logLevel == "info" && settings.hostnameOverride == "node-1")
        #expect(settings.warnings.count == 1)
        #expect(settings.warnings.first?.contains("--feature-gates=A=true") == true)
        #expect(settings.warnings.first?.contains("--oom-score-adj=-999") == true)
    }

    /// An empty address turns a server off, in every spelling: the parser reads `--name=` as a missing value, so
    /// the translation hands it `--name ""` (the lab tests' proxies all start so).
    @Test(arguments: [
        ["--healthz-bind-address", "", "--metrics-bind-address", ""],
        ["--healthz-bind-address=", "--metrics-bind-address="],
        ["--healthz-port", "0", "--metrics-port=0"],
    ])
    func anEmptyAddressTurnsAServerOff(arguments: [String]) throws {
        let given = Self.given(try Self.run(arguments))
        #expect(given == ["healthz-bind-address": "", "metrics-bind-address": ""])
    }
}

/// `run --prepare-kernel`: the init container's mode, which sets the kernel and exits.
@Suite struct PrepareKernelCommandLineTests {
    @Test func itTakesEverySettingAStartTakes() throws {
        let command = try KubeProxyCommandLineTests.run(
            ["--prepare-kernel", "--config", "/etc/ipvs-proxy/config.yaml", "--ipvs-strict-arp=true"])
        #expect(command.prepareKernel)
        #expect(KubeProxyCommandLineTests.given(command)["ipvs-strict-arp"] == "true")
    }

    @Test(arguments: ["--once", "--cleanup"])
    func itIsNoPartOfAnotherMode(other: String) {
        #expect(throws: (any Error).self) { try KubeProxyCommandLineTests.run(["--prepare-kernel", other]) }
    }
}
