import Testing

/// The strace reading of `NetlinkWrites`, on lines strace 6.1 printed in the lab (runs on the host too).
@Suite struct NetlinkWritesTests {
    @Test func writesAreCountedAndReadsAreNot() {
        let log = #"""
            209   sendto(6, [{nlmsg_len=20, nlmsg_type=IPVS, nlmsg_flags=NLM_F_REQUEST|NLM_F_ACK, nlmsg_seq=1, nlmsg_pid=0}, "\x0f\x01\x00\x00"], 20, 0, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 20
            209   sendto(7, [{nlmsg_len=32, nlmsg_type=RTM_GETLINK, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, nlmsg_seq=1, nlmsg_pid=0}, {ifi_family=AF_UNSPEC}], 32, 0, NULL, 0) = 32
            211   sendto(6, [{nlmsg_len=68, nlmsg_type=IPVS, nlmsg_flags=NLM_F_REQUEST|0x300, nlmsg_seq=2, nlmsg_pid=0}, "\x08\x01\x00\x00\x30\x00"], 68, 0, NULL, 0) = 68
            212   sendto(17, [{nlmsg_len=20, nlmsg_type=NFNL_SUBSYS_NFTABLES<<8|NFT_MSG_GETTABLE, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, nlmsg_seq=0, nlmsg_pid=0}], 20, 0, NULL, 0) = 20
            """#
        let reads = NetlinkWrites(strace: log)
        #expect(reads.ipvs == 0 && reads.route == 0 && reads.nftablesTransactions == 0, "\(reads)")
        let writes = #"""
            172   sendmsg(3, {msg_iov=[{iov_base=[[{nlmsg_len=200, nlmsg_type=IPVS, nlmsg_flags=NLM_F_REQUEST|NLM_F_ACK, nlmsg_seq=1, nlmsg_pid=1}, "\x05\x01\x00\x00"], [{nlmsg_len=200, nlmsg_type=IPVS, nlmsg_flags=NLM_F_REQUEST|NLM_F_ACK, nlmsg_seq=2, nlmsg_pid=1}, "\x01\x01\x00\x00"]], iov_len=400}]}, 0) = 400
            211   sendto(7, [{nlmsg_len=32, nlmsg_type=RTM_NEWLINK, nlmsg_flags=NLM_F_REQUEST|NLM_F_ACK, nlmsg_seq=5, nlmsg_pid=0}, {ifi_flags=IFF_UP}], 32, 0, NULL, 0) = 32
            214   sendmsg(17, {msg_iov=[{iov_base=[[{nlmsg_len=20, nlmsg_type=NFNL_MSG_BATCH_BEGIN}], [{nlmsg_len=44, nlmsg_type=NFNL_SUBSYS_NFTABLES<<8|NFT_MSG_NEWTABLE, nlmsg_flags=NLM_F_REQUEST}]]}]}, 0) = 64
            """#
        let counted = NetlinkWrites(strace: writes)
        #expect(counted.ipvs == 2, "a new destination and a new service in one send")
        #expect(counted.route == 1)
        #expect(counted.nftablesTransactions == 1)
    }
}
