import Foundation

/// The netlink requests that change the kernel, counted in an `strace -f -v -e trace=sendto,sendmsg` log: the
/// independent check that a restart with unchanged objects writes nothing (issue 15, P3).
struct NetlinkWrites: CustomStringConvertible {
    /// IPVS generic-netlink commands that change the table (new, set, delete a service or destination, flush, zero,
    /// set the config or daemon); the GET commands read.
    var ipvs = 0
    /// rtnetlink requests that change a link, an address or a route (RTM_NEW*, RTM_DEL*, RTM_SET*).
    var route = 0
    /// nftables transactions (a batch holding NFT_MSG_NEW* or NFT_MSG_DEL*).
    var nftablesTransactions = 0
    /// The lines that were counted, for the failure message.
    var lines: [String] = []

    /// IPVS_CMD_*: 4 GET_SERVICE, 8 GET_DEST, 11 GET_DAEMON, 13 GET_CONFIG and 15 GET_INFO only read.
    static let ipvsReads: Set<UInt8> = [4, 8, 11, 13, 15]

    init(strace log: String) {
        for line in log.split(separator: "\n") {
            var counted = false
            // Each IPVS message is printed as its header, then its payload, whose first byte is the command.
            for match in line.matches(of: /nlmsg_type=IPVS, [^}]*\}, "\\x([0-9a-f]{2})/) {
                if let command = UInt8(match.1, radix: 16), !Self.ipvsReads.contains(command) {
                    ipvs += 1
                    counted = true
                }
            }
            let routeWrites = line.matches(of: /nlmsg_type=RTM_(NEW|DEL|SET)[A-Z]+/).count
            route += routeWrites
            if line.contains("NFT_MSG_NEW") || line.contains("NFT_MSG_DEL") {
                nftablesTransactions += 1
                counted = true
            }
            if counted || routeWrites > 0 { lines.append(String(line.prefix(300))) }
        }
    }

    var description: String {
        "ipvs \(ipvs), route \(route), nftables transactions \(nftablesTransactions): "
            + lines.joined(separator: "\n")
    }
}
