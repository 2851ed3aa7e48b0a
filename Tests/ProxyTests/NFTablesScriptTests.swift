import Values
import IPVS
import Testing

@testable import Proxy

@Suite struct NFTablesScriptTests {
    @Test func theWholeTableIsReplacedInOneTransactionWithSortedElements() throws {
        let configuration = MasqueradeConfiguration(
            clusterCIDRs: ["10.244.0.0/16", "fd00:244::/64"].compactMap { AddressPrefix($0) }, table: "t")
        let script = NFTablesScript.replace(
            configuration: configuration,
            elements: [
                .hairpin(F.ip("10.244.0.11")), .fromOutside(.udp, F.ip("10.96.0.10"), port: 53),
                .fromOutside(.tcp, F.ip("10.96.0.10"), port: 80), .hairpin(F.ip("10.244.0.10")),
                .always(.sctp, F.ip("fd00:96::1"), port: 9),
            ])
        let unmarked = """
            add table inet t
            delete table inet t
            table inet t {
                set cluster-cidrs-v4 {
                    type ipv4_addr
                    flags interval
                    auto-merge
                    elements = {
                        10.244.0.0/16
                    }
                }
                set masq-always-v4 {
                    type ipv4_addr . inet_proto . inet_service
                }
                set masq-outside-v4 {
                    type ipv4_addr . inet_proto . inet_service
                    elements = {
                        10.96.0.10 . tcp . 80,
                        10.96.0.10 . udp . 53
                    }
                }
                set masq-vip-source-v4 {
                    type ipv4_addr . inet_proto . inet_service
                }
                set hairpin-v4 {
                    type ipv4_addr . ipv4_addr
                    elements = {
                        10.244.0.10 . 10.244.0.10,
                        10.244.0.11 . 10.244.0.11
                    }
                }
                set vips-v4 {
                    type ipv4_addr
                }
                set vip-ports-v4 {
                    type ipv4_addr . inet_proto . inet_service
                }
                set health-check-ports-v4 {
                    type inet_service
                }
                set source-guarded-v4 {
                    type ipv4_addr . inet_proto . inet_service
                }
                set source-admitted-v4 {
                    type ipv4_addr . inet_proto . inet_service . ipv4_addr
                    flags interval
                }
                set source-node-refused-v4 {
                    type ipv4_addr . ipv4_addr . inet_proto . inet_service
                }
                set cluster-cidrs-v6 {
                    type ipv6_addr
                    flags interval
                    auto-merge
                    elements = {
                        fd00:244::/64
                    }
                }
                set masq-always-v6 {
                    type ipv6_addr . inet_proto . inet_service
                    elements = {
                        fd00:96::1 . sctp . 9
                    }
                }
                set masq-outside-v6 {
                    type ipv6_addr . inet_proto . inet_service
                }
                set masq-vip-source-v6 {
                    type ipv6_addr . inet_proto . inet_service
                }
                set hairpin-v6 {
                    type ipv6_addr . ipv6_addr
                }
                set vips-v6 {
                    type ipv6_addr
                }
                set vip-ports-v6 {
                    type ipv6_addr . inet_proto . inet_service
                }
                set health-check-ports-v6 {
                    type inet_service
                }
                set source-guarded-v6 {
                    type ipv6_addr . inet_proto . inet_service
                }
                set source-admitted-v6 {
                    type ipv6_addr . inet_proto . inet_service . ipv6_addr
                    flags interval
                }
                set source-node-refused-v6 {
                    type ipv6_addr . ipv6_addr . inet_proto . inet_service
                }
                chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    ip saddr . ip daddr @hairpin-v4 counter masquerade comment "hairpin"
                    meta l4proto { tcp, udp, sctp } ct original ip daddr . meta l4proto . ct original proto-dst @masq-always-v4 counter masquerade comment "always"
                    meta l4proto { tcp, udp, sctp } ct original ip daddr . meta l4proto . ct original proto-dst @masq-outside-v4 ip saddr != @cluster-cidrs-v4 counter masquerade comment "from outside the cluster"
                    meta l4proto { tcp, udp, sctp } ct original ip saddr . meta l4proto . ct original proto-dst @masq-vip-source-v4 counter masquerade comment "from a cluster IP"
                    ip6 saddr . ip6 daddr @hairpin-v6 counter masquerade comment "hairpin"
                    meta l4proto { tcp, udp, sctp } ct original ip6 daddr . meta l4proto . ct original proto-dst @masq-always-v6 counter masquerade comment "always"
                    meta l4proto { tcp, udp, sctp } ct original ip6 daddr . meta l4proto . ct original proto-dst @masq-outside-v6 ip6 saddr != @cluster-cidrs-v6 counter masquerade comment "from outside the cluster"
                    meta l4proto { tcp, udp, sctp } ct original ip6 saddr . meta l4proto . ct original proto-dst @masq-vip-source-v6 counter masquerade comment "from a cluster IP"
                }
                chain input {
                    type filter hook input priority filter; policy accept;
                    meta l4proto { tcp, udp, sctp } ip daddr . meta l4proto . th dport @source-guarded-v4 ip daddr . meta l4proto . th dport . ip saddr != @source-admitted-v4 counter drop comment "loadBalancerSourceRanges"
                    meta l4proto { tcp, udp, sctp } ip6 daddr . meta l4proto . th dport @source-guarded-v6 ip6 daddr . meta l4proto . th dport . ip6 saddr != @source-admitted-v6 counter drop comment "loadBalancerSourceRanges"
                    ct state new ip daddr @vips-v4 jump vip-filter
                    ct state new ip6 daddr @vips-v6 jump vip-filter
                }
                chain vip-filter {
                    ip daddr . meta l4proto . th dport @vip-ports-v4 return
                    ip6 daddr . meta l4proto . th dport @vip-ports-v6 return
                    meta nfproto ipv4 tcp dport @health-check-ports-v4 return
                    meta nfproto ipv6 tcp dport @health-check-ports-v6 return
                    counter reject comment "no Service on this VIP port"
                }
                chain output {
                    type filter hook output priority filter; policy accept;
                    meta l4proto { tcp, udp, sctp } ct original ip saddr . ct original ip daddr . meta l4proto . ct original proto-dst @source-node-refused-v4 counter drop comment "node outside loadBalancerSourceRanges"
                    meta l4proto { tcp, udp, sctp } ct original ip6 saddr . ct original ip6 daddr . meta l4proto . ct original proto-dst @source-node-refused-v6 counter drop comment "node outside loadBalancerSourceRanges"
                }
            }

            """
        // The postrouting chain carries the mark: a fingerprint of the text with empty Service sets and without the
        // mark's line, the same in every process, whatever the sets hold.
        let empty = NFTablesScript.replace(configuration: configuration, elements: [])
        let unmarkedEmpty = empty.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("        comment \"ipvs-proxy ") }.joined(separator: "\n")
        #expect(unmarkedEmpty.count < unmarked.count && !unmarkedEmpty.contains("10.244.0.10"), "no Service element")
        let mark = NFTablesScript.fingerprint(unmarkedEmpty)
        #expect(NFTablesScript.mark(for: configuration) == "ipvs-proxy \(mark)")
        #expect(NFTablesScript.mark(in: empty) == "ipvs-proxy \(mark)")
        #expect(mark.count == 16)
        let expected = unmarked.replacingOccurrences(
            of: "    chain postrouting {\n", with: "    chain postrouting {\n        comment \"ipvs-proxy \(mark)\"\n")
        #expect(script == expected)
        #expect(NFTablesScript.mark(in: script) == "ipvs-proxy \(mark)")
        let reordered = NFTablesScript.replace(
            configuration: configuration,
            elements: [
                .always(.sctp, F.ip("fd00:96::1"), port: 9), .hairpin(F.ip("10.244.0.10")),
                .fromOutside(.tcp, F.ip("10.96.0.10"), port: 80), .fromOutside(.udp, F.ip("10.96.0.10"), port: 53),
                .hairpin(F.ip("10.244.0.11")),
            ])
        #expect(reordered == script, "the elements' order does not matter")
        #expect(NFTablesScript.fingerprint("") == "cbf29ce484222325", "FNV-1a's offset basis for no input")
    }

    static let sourceRangeDelta = MasqueradeDelta.with(
        added: [
            .sourceAdmitted(.tcp, F.ip("203.0.113.10"), port: 80, F.prefix("192.0.2.0/24")),
            .sourceAdmitted(.udp, F.ip("2001:db8::10"), port: 53, F.prefix("2001:db8:1::/48")),
            .sourceGuarded(.tcp, F.ip("203.0.113.10"), port: 80),
            .nodeRefused(.tcp, F.ip("203.0.113.10"), port: 80),
            .nodeRefused(.udp, F.ip("2001:db8::10"), port: 53),
        ],
        removed: [.vip(F.ip("fd00:96::a")), .healthCheckPort(.ipv4, port: 32000)])
    static let sourceRangeLines: [String] = [
        "delete element inet t health-check-ports-v4 { 32000 }",
        "delete element inet t vips-v6 { fd00:96::a }",
        "add element inet t source-admitted-v4 { 203.0.113.10 . tcp . 80 . 192.0.2.0/24 }",
        "add element inet t source-admitted-v6 { 2001:db8::10 . udp . 53 . 2001:db8:1::/48 }",
        "add element inet t source-guarded-v4 { 203.0.113.10 . tcp . 80 }",
        "add element inet t source-node-refused-v4 { 203.0.113.10 . 203.0.113.10 . tcp . 80 }",
        "add element inet t source-node-refused-v6 { 2001:db8::10 . 2001:db8::10 . udp . 53 }",
    ]
    static let vipDelta = MasqueradeDelta.with(
        added: [.vipPort(.sctp, F.ip("10.96.0.10"), port: 9), .vip(F.ip("10.96.0.10"))],
        removed: [.fromVirtualServerAddress(.tcp, F.ip("fd00:96::a"), port: 80)])
    static let vipLines: [String] = [
        "delete element inet t masq-vip-source-v6 { fd00:96::a . tcp . 80 }",
        "add element inet t vip-ports-v4 { 10.96.0.10 . sctp . 9 }",
        "add element inet t vips-v4 { 10.96.0.10 }",
    ]
    static let masqueradeDelta = MasqueradeDelta.with(
        added: [.always(.tcp, F.ip("fd00::1"), port: 80)],
        removed: [.fromOutside(.udp, F.ip("10.96.0.10"), port: 53), .hairpin(F.ip("10.244.0.10"))])
    static let masqueradeLines: [String] = [
        "delete element inet t hairpin-v4 { 10.244.0.10 . 10.244.0.10 }",
        "delete element inet t masq-outside-v4 { 10.96.0.10 . udp . 53 }",
        "add element inet t masq-always-v6 { fd00::1 . tcp . 80 }",
    ]
    static let updates: [(MasqueradeDelta, String)] = [
        (MasqueradeDelta.with(added: [], removed: []), ""),
        (
            .with(added: [.hairpin(F.ip("10.244.0.12")), .hairpin(F.ip("10.244.0.11"))], removed: []),
            "add element inet t hairpin-v4 { 10.244.0.11 . 10.244.0.11, 10.244.0.12 . 10.244.0.12 }\n"
        ),
        (masqueradeDelta, masqueradeLines.map { $0 + "\n" }.joined()),
        (sourceRangeDelta, sourceRangeLines.map { $0 + "\n" }.joined()),
        (vipDelta, vipLines.map { $0 + "\n" }.joined()),
    ]

    @Test(arguments: updates)
    func anUpdateWritesOnlyTheChangedElementsDeletionsFirst(delta: MasqueradeDelta, expected: String) {
        #expect(NFTablesScript.update(table: "t", delta: delta) == expected)
    }

    @Test func deletingTheTableWorksWhetherOrNotItExists() {
        #expect(
            NFTablesScript.delete(table: "ipvs-proxy") == "add table inet ipvs-proxy\ndelete table inet ipvs-proxy\n")
    }
}

extension MasqueradeDelta {
    static func with(added: [MasqueradeElement], removed: [MasqueradeElement]) -> MasqueradeDelta {
        var delta = MasqueradeDelta()
        for element in added { delta.add(element) }
        for element in removed { delta.remove(element) }
        return delta
    }
}

@Suite struct MasqueradeElementOrderTests {
    @Test func elementsSortAsTheirSetNamesThenByAddressProtocolAndPort() {
        let elements: [MasqueradeElement] = [
            .fromOutside(.tcp, F.ip("10.96.0.10"), port: 80), .always(.udp, F.ip("fd00::1"), port: 53),
            .hairpin(F.ip("fd00::2")), .always(.tcp, F.ip("10.96.0.2"), port: 80),
            .always(.tcp, F.ip("10.96.0.10"), port: 8080), .always(.tcp, F.ip("10.96.0.10"), port: 80),
            .hairpin(F.ip("10.244.0.10")), .fromOutside(.tcp, F.ip("fd00::1"), port: 80),
        ]
        let sorted = elements.sorted()
        #expect(sorted.map(\.setName) == elements.map(\.setName).sorted())
        #expect(
            sorted.map(\.description) == [
                "hairpin-v4 { 10.244.0.10 . 10.244.0.10 }", "hairpin-v6 { fd00::2 . fd00::2 }",
                "masq-always-v4 { 10.96.0.2 . tcp . 80 }", "masq-always-v4 { 10.96.0.10 . tcp . 80 }",
                "masq-always-v4 { 10.96.0.10 . tcp . 8080 }", "masq-always-v6 { fd00::1 . udp . 53 }",
                "masq-outside-v4 { 10.96.0.10 . tcp . 80 }", "masq-outside-v6 { fd00::1 . tcp . 80 }",
            ])
    }
}
