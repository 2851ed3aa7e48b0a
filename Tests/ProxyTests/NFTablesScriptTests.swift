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
        let expected = """
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
                set hairpin-v4 {
                    type ipv4_addr . ipv4_addr
                    elements = {
                        10.244.0.10 . 10.244.0.10,
                        10.244.0.11 . 10.244.0.11
                    }
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
                set hairpin-v6 {
                    type ipv6_addr . ipv6_addr
                }
                chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    ip saddr . ip daddr @hairpin-v4 counter masquerade comment "hairpin"
                    meta l4proto { tcp, udp, sctp } ct original ip daddr . meta l4proto . ct original proto-dst @masq-always-v4 counter masquerade comment "always"
                    meta l4proto { tcp, udp, sctp } ct original ip daddr . meta l4proto . ct original proto-dst @masq-outside-v4 ip saddr != @cluster-cidrs-v4 counter masquerade comment "from outside the cluster"
                    ip6 saddr . ip6 daddr @hairpin-v6 counter masquerade comment "hairpin"
                    meta l4proto { tcp, udp, sctp } ct original ip6 daddr . meta l4proto . ct original proto-dst @masq-always-v6 counter masquerade comment "always"
                    meta l4proto { tcp, udp, sctp } ct original ip6 daddr . meta l4proto . ct original proto-dst @masq-outside-v6 ip6 saddr != @cluster-cidrs-v6 counter masquerade comment "from outside the cluster"
                }
            }

            """
        #expect(script == expected)
    }

    @Test(arguments: [
        (MasqueradeDelta.with(added: [], removed: []), ""),
        (
            .with(added: [.hairpin(F.ip("10.244.0.12")), .hairpin(F.ip("10.244.0.11"))], removed: []),
            "add element inet t hairpin-v4 { 10.244.0.11 . 10.244.0.11, 10.244.0.12 . 10.244.0.12 }\n"
        ),
        (
            .with(
                added: [.always(.tcp, F.ip("fd00::1"), port: 80)],
                removed: [.fromOutside(.udp, F.ip("10.96.0.10"), port: 53), .hairpin(F.ip("10.244.0.10"))]),
            "delete element inet t hairpin-v4 { 10.244.0.10 . 10.244.0.10 }\n"
                + "delete element inet t masq-outside-v4 { 10.96.0.10 . udp . 53 }\n"
                + "add element inet t masq-always-v6 { fd00::1 . tcp . 80 }\n"
        ),
    ])
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
