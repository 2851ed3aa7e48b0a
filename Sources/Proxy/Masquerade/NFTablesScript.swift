import Values
import IPVS

/// Renders the proxy's nftables table as `nft -f` input. Pure; every output is one nft transaction, applied
/// entirely or not at all.
///
/// The table holds one NAT chain on postrouting. IPVS rewrites the destination of a connection in the input (or
/// output) path and sends the packet on through postrouting, where the conntrack entry still carries the
/// original destination (the virtual server): the rules match that (`ct original ip daddr . meta l4proto .
/// ct original proto-dst`) against sets of virtual servers, and the source against the cluster CIDRs. Hairpin
/// is matched on the rewritten packet: source and destination are the same endpoint.
public enum NFTablesScript {
    /// Replaces the whole table, atomically: creates it if missing, deletes it, and defines it afresh.
    public static func replace(
        configuration: MasqueradeConfiguration,
        elements: some Collection<MasqueradeElement>
    ) -> String {
        let table = configuration.table
        let bySet = Dictionary(grouping: elements, by: \.setName)
        var lines = ["add table inet \(table)", "delete table inet \(table)", "table inet \(table) {"]
        for family in [AddressFamily.ipv4, .ipv6] {
            let (suffix, address) = family == .ipv4 ? ("v4", "ipv4_addr") : ("v6", "ipv6_addr")
            let cidrs = configuration.clusterCIDRs.filter { $0.address.family == family }.map(\.description)
            lines += set("cluster-cidrs-\(suffix)", type: address, flags: ["flags interval", "auto-merge"], cidrs)
            for name in ["masq-always", "masq-outside"] {
                let texts = (bySet["\(name)-\(suffix)"] ?? []).sorted().map(\.nftText)
                lines += set("\(name)-\(suffix)", type: "\(address) . inet_proto . inet_service", flags: [], texts)
            }
            let hairpin = (bySet["hairpin-\(suffix)"] ?? []).sorted().map(\.nftText)
            lines += set("hairpin-\(suffix)", type: "\(address) . \(address)", flags: [], hairpin)
        }
        lines.append("    chain postrouting {")
        lines.append("        type nat hook postrouting priority srcnat; policy accept;")
        for (suffix, ip) in [("v4", "ip"), ("v6", "ip6")] {
            let original =
                "meta l4proto { tcp, udp, sctp } ct original \(ip) daddr . meta l4proto . ct original proto-dst"
            lines += [
                "        \(ip) saddr . \(ip) daddr @hairpin-\(suffix) counter masquerade comment \"hairpin\"",
                "        \(original) @masq-always-\(suffix) counter masquerade comment \"always\"",
                "        \(original) @masq-outside-\(suffix) \(ip) saddr != @cluster-cidrs-\(suffix) counter masquerade"
                    + " comment \"from outside the cluster\"",
            ]
        }
        lines += ["    }", "}"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Changes only set elements: deletions, then additions. Deleting an element the kernel lacks fails the
    /// whole transaction, which is how a table changed behind the proxy's back is noticed.
    public static func update(table: String, delta: MasqueradeDelta) -> String {
        var lines: [String] = []
        for (verb, elements) in [("delete", delta.removed), ("add", delta.added)] {
            for (name, members) in Dictionary(grouping: elements, by: \.setName).sorted(by: { $0.key < $1.key }) {
                let texts = members.sorted().map(\.nftText)
                lines.append("\(verb) element inet \(table) \(name) { \(texts.joined(separator: ", ")) }")
            }
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// Removes the table if it is there (and does nothing otherwise).
    public static func delete(table: String) -> String {
        "add table inet \(table)\ndelete table inet \(table)\n"
    }

    private static func set(_ name: String, type: String, flags: [String], _ elements: [String]) -> [String] {
        var lines = ["    set \(name) {", "        type \(type)"]
        lines += flags.map { "        \($0)" }
        if !elements.isEmpty {
            lines.append("        elements = {")
            lines += elements.enumerated().map { "            \($1)\($0 == elements.count - 1 ? "" : ",")" }
            lines.append("        }")
        }
        lines.append("    }")
        return lines
    }
}
