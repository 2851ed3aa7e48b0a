import Settings
import Testing
import Values

/// `--nodeport-addresses primary` and `--bind-address`, from each place a setting comes from (issue 13: 16).
@Suite struct NodePortPrimaryTests {
    static let header = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n"

    /// Where the value comes from → whether `primary` is set, the CIDRs, and the bind address.
    @Test(arguments: [
        ("flag", ["nodeport-addresses": "primary"], "", true, [], nil),
        ("flag CIDRs", ["nodeport-addresses": "10.0.0.0/8,fd00::/64"], "", false, ["10.0.0.0/8", "fd00::/64"], nil),
        ("file list", [:], "nodePortAddresses: [primary]\n", true, [], nil),
        ("file bindAddress", [:], "bindAddress: 192.168.1.5\n", false, [], "192.168.1.5"),
        ("file unspecified bindAddress", [:], "bindAddress: 0.0.0.0\n", false, [], nil),
        ("flag bind-address", ["bind-address": "fd00::5", "nodeport-addresses": "primary"], "", true, [], "fd00::5"),
        ("flag :: bind-address", ["bind-address": "::"], "", false, [], nil),
    ] as [(String, [String: String], String, Bool, [String], String?)])
    func primaryAndBindAddressAreRead(
        what: String, flags: [String: String], file: String, primary: Bool, cidrs: [String], bind: String?
    ) throws {
        var layers = [try SettingsLayer.flags(flags.mapValues { Optional($0) })]
        if !file.isEmpty { layers.append(try ConfigFile.parse(Self.header + file, path: "/k.yaml")) }
        let settings = try ProxySettings.resolve(layers)
        #expect(settings.nodePortAddressesPrimary == primary, "\(what)")
        #expect(settings.nodePortAddresses.map(\.description) == cidrs, "\(what)")
        #expect(settings.bindAddress?.description == bind, "\(what)")
    }

    @Test(arguments: [
        (["nodeport-addresses": "primary,10.0.0.0/8"], "\"primary\" must be the only value"),
        (["bind-address": "node-a"], "\"node-a\" is not an IP address"),
        (["nodeport-addresses": "primary-ish"], "\"primary-ish\" is not a CIDR"),
    ])
    func badValuesAreErrorsNamingTheFlag(flags: [String: String], message: String) throws {
        #expect {
            try ProxySettings.resolve([try SettingsLayer.flags(flags.mapValues { Optional($0) })])
        } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("--\(flags.keys.first ?? "")")
        }
    }
}
