/// The kernel settings ipvs-proxy reads and sets.
public enum Sysctls {
    /// A 0/1 switch.
    public static func flag(_ name: String) -> Sysctl<Bool> {
        Sysctl(name, parse: { $0 == "1" ? true : $0 == "0" ? false : nil }, format: { $0 ? "1" : "0" })
    }

    /// An integer setting.
    public static func integer(_ name: String) -> Sysctl<Int> {
        Sysctl(name, parse: { Int($0) }, format: { String($0) })
    }

    /// net.ipv4.vs.conntrack: keep netfilter conntrack entries for IPVS connections (needed for masquerading
    /// with iptables/nftables SNAT).
    public static let conntrack = flag("net.ipv4.vs.conntrack")
    /// net.ipv4.vs.expire_nodest_conn: drop connections whose real server was removed.
    public static let expireNodestConn = flag("net.ipv4.vs.expire_nodest_conn")
    /// net.ipv4.vs.expire_quiescent_template: expire persistence templates of weight-0 real servers.
    public static let expireQuiescentTemplate = flag("net.ipv4.vs.expire_quiescent_template")
    /// net.ipv4.vs.conn_reuse_mode: 0, 1 or 2 (how reused source ports are rescheduled).
    public static let connReuseMode = integer("net.ipv4.vs.conn_reuse_mode")
    /// net.ipv4.ip_forward: route between interfaces.
    public static let ipForward = flag("net.ipv4.ip_forward")
    /// net.ipv4.conf.all.arp_ignore: 0-8; 1 answers ARP only for addresses on the receiving interface.
    public static let arpIgnore = integer("net.ipv4.conf.all.arp_ignore")
    /// net.ipv4.conf.all.arp_announce: 0-2; 2 uses the best local source address in ARP requests.
    public static let arpAnnounce = integer("net.ipv4.conf.all.arp_announce")
}
