import Values
import IPVS
import NFTables

/// Renders the proxy's nftables table as `nft -f` input. Pure; every output is one nft transaction, applied
/// entirely or not at all.
///
/// Masquerading is one NAT chain on postrouting. IPVS rewrites the destination of a connection in the input (or
/// output) path and sends the packet on through postrouting, where the conntrack entry still carries the
/// original destination (the virtual server): the rules match that (`ct original ip daddr . meta l4proto .
/// ct original proto-dst`) against sets of virtual servers, and the source against the cluster CIDRs. Hairpin
/// is matched on the rewritten packet: source and destination are the same endpoint.
///
/// Filtering is a chain on input, ahead of IPVS (priority filter, 0; IPVS takes local-in packets at 98), and one on
/// output, behind IPVS's local-out hook (-98), as kube-proxy's filter chains sit:
/// - `loadBalancerSourceRanges` (KUBE-PROXY-FIREWALL, KUBE-SOURCE-RANGES-FIREWALL): a packet to a guarded
///   load-balancer IP and port from a source outside its admitted ranges is dropped.
/// - KUBE-IPVS-FILTER (kubernetes issue 72236): a new connection to an address bound on the VIP link is
///   rejected unless a Service uses that address, protocol and port, or the port is a health-check node port,
///   so the node's own listeners (sshd, the kubelet) are not reached through a cluster IP.
/// - KUBE-IPVS-OUT-FILTER: the node's own connections to a guarded load-balancer IP (whose source is the IP
///   itself) are dropped when no admitted range holds a node address.
public enum NFTablesScript {
    /// Replaces the whole table, atomically: creates it if missing, deletes it, and defines it afresh. The
    /// postrouting chain carries the table's mark as its comment (``mark(in:)``): the fingerprint of its structure,
    /// the text without the elements of the sets that follow the Services (``mark(for:)``), so that a restart
    /// finding a table of the same structure in the kernel need only compare the elements.
    public static func replace(
        configuration: MasqueradeConfiguration,
        elements: some Collection<MasqueradeElement>
    ) -> String {
        var (lines, markLine) = render(
            configuration: configuration, bySet: Dictionary(grouping: elements, by: \.setName))
        lines.insert("        comment \"\(mark(for: configuration))\"", at: markLine)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The mark of every table written for `configuration`: the fingerprint of its text with empty Service sets
    /// (each line and its newline, the mark's own line left out). Elements do not change it: a table with the
    /// mark has the chains, rules and cluster CIDRs to write, whatever its sets hold.
    public static func mark(for configuration: MasqueradeConfiguration) -> String {
        var hash = FNV1a()
        for line in render(configuration: configuration, bySet: [:]).lines {
            hash.add(line)
            hash.add("\n")
        }
        return "ipvs-proxy \(hash.hex)"
    }

    /// The whole-table script's lines without the mark, and the index the mark's line goes at.
    private static func render(
        configuration: MasqueradeConfiguration, bySet: [String: [MasqueradeElement]]
    ) -> (lines: [String], markLine: Int) {
        let table = configuration.table
        var lines = ["add table inet \(table)", "delete table inet \(table)", "table inet \(table) {"]
        for family in [AddressFamily.ipv4, .ipv6] {
            let (suffix, address) = family == .ipv4 ? ("v4", "ipv4_addr") : ("v6", "ipv6_addr")
            let virtualServer = "\(address) . inet_proto . inet_service"
            let cidrs = configuration.clusterCIDRs.filter { $0.address.family == family }.map(\.description)
            lines += set("cluster-cidrs-\(suffix)", type: address, flags: ["flags interval", "auto-merge"], cidrs)
            let sets: [(String, String, [String])] = [
                ("masq-always", virtualServer, []), ("masq-outside", virtualServer, []),
                ("masq-vip-source", virtualServer, []), ("hairpin", "\(address) . \(address)", []),
                ("vips", address, []), ("vip-ports", virtualServer, []), ("health-check-ports", "inet_service", []),
                ("source-guarded", virtualServer, []),
                ("source-admitted", "\(virtualServer) . \(address)", ["flags interval"]),
                ("source-node-refused", "\(address) . \(virtualServer)", []),
            ]
            for (name, type, flags) in sets {
                let texts = (bySet["\(name)-\(suffix)"] ?? []).sorted().map(\.nftText)
                lines += set("\(name)-\(suffix)", type: type, flags: flags, texts)
            }
        }
        let families = [("v4", "ip"), ("v6", "ip6")]
        let transport = "meta l4proto { tcp, udp, sctp }"
        lines.append("    chain postrouting {")
        let markLine = lines.count
        lines.append("        type nat hook postrouting priority srcnat; policy accept;")
        for (suffix, ip) in families {
            let port = "meta l4proto . ct original proto-dst"
            let original = "\(transport) ct original \(ip) daddr . \(port)"
            lines += [
                "        \(ip) saddr . \(ip) daddr @hairpin-\(suffix) counter masquerade comment \"hairpin\"",
                "        \(original) @masq-always-\(suffix) counter masquerade comment \"always\"",
                "        \(original) @masq-outside-\(suffix) \(ip) saddr != @cluster-cidrs-\(suffix) counter masquerade"
                    + " comment \"from outside the cluster\"",
                "        \(transport) ct original \(ip) saddr . \(port) @masq-vip-source-\(suffix) counter masquerade"
                    + " comment \"from a cluster IP\"",
            ]
        }
        lines.append("    }")
        lines.append("    chain input {")
        lines.append("        type filter hook input priority filter; policy accept;")
        for (suffix, ip) in families {
            let destination = "\(ip) daddr . meta l4proto . th dport"
            lines.append(
                "        \(transport) \(destination) @source-guarded-\(suffix) \(destination) . \(ip) saddr"
                    + " != @source-admitted-\(suffix) counter drop comment \"loadBalancerSourceRanges\"")
        }
        for (suffix, ip) in families {
            lines.append("        ct state new \(ip) daddr @vips-\(suffix) jump vip-filter")
        }
        lines.append("    }")
        lines.append("    chain vip-filter {")
        for (suffix, ip) in families {
            lines.append("        \(ip) daddr . meta l4proto . th dport @vip-ports-\(suffix) return")
        }
        for (suffix, ip) in families {
            lines.append(
                "        meta nfproto \(ip == "ip" ? "ipv4" : "ipv6") tcp dport @health-check-ports-\(suffix) return")
        }
        lines.append("        counter reject comment \"no Service on this VIP port\"")
        lines.append("    }")
        lines.append("    chain output {")
        lines.append("        type filter hook output priority filter; policy accept;")
        for (suffix, ip) in families {
            lines.append(
                "        \(transport) ct original \(ip) saddr . ct original \(ip) daddr . meta l4proto . ct original"
                    + " proto-dst @source-node-refused-\(suffix) counter drop comment \"node outside"
                    + " loadBalancerSourceRanges\"")
        }
        lines += ["    }", "}"]
        return (lines, markLine)
    }

    /// The mark a whole-table script gives its table (the comment of its postrouting chain); nil for another script.
    public static func mark(in script: String) -> String? {
        script.split(separator: "\n").lazy.compactMap(NFTablesComment.text(ofLine:)).first
    }

    /// FNV-1a over the text's UTF-8, 64 bits in hex: the same text gives the same mark in every process (Swift's
    /// `Hasher` is seeded per process). It tells this proxy's own renderings apart, not an adversary's.
    static func fingerprint(_ text: String) -> String {
        var hash = FNV1a()
        hash.add(text)
        return hash.hex
    }

    /// FNV-1a, 64 bits, fed piece by piece (the same value as over the pieces joined).
    struct FNV1a {
        private var value: UInt64 = 0xcbf2_9ce4_8422_2325

        mutating func add(_ text: String) {
            for byte in text.utf8 {
                value ^= UInt64(byte)
                value &*= 0x0000_0100_0000_01b3
            }
        }

        /// 16 hex digits.
        var hex: String {
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }
    }

    /// Changes only set elements: deletions, then additions. Deleting an element the kernel lacks fails the
    /// whole transaction, which is how a table changed behind the proxy's back is noticed.
    public static func update(table: String, delta: MasqueradeDelta) -> String {
        let lines = delta.bySet.map { add, name, members in
            let texts = members.sorted().map(\.nftText)
            return "\(add ? "add" : "delete") element inet \(table) \(name) { \(texts.joined(separator: ", ")) }"
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
