// The C surface of ipvs-proxy: libnl-3, libnl-genl-3, libnl-nf-3 (conntrack), libnftables (the proxy's nftables
// table, applied in process), the kernel's uapi headers for IPVS and rtnetlink, and epoll and eventfd (which
// Glibc's module leaves out). Macros and variadic functions that Swift cannot import are wrapped here as
// `static inline` shims, named `cnl_*`. Only the kernel I/O modules import this: IPVS (netlink), NFTables
// (libnftables) and Health (its TCP connector's epoll set); their raw pointers never leave them.
#ifndef IPVS_PROXY_CNETLINK_SHIM_H
#define IPVS_PROXY_CNETLINK_SHIM_H

#include <errno.h>
#include <malloc.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/errno.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/netfilter/ct.h>
#include <linux/ip_vs.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <nftables/libnftables.h>

/// glibc's `malloc_trim(0)`: hands the allocator's free pages back to the kernel; 1 when some were released.
static inline int cnl_malloc_trim(void) { return malloc_trim(0); }

/// `prctl(PR_SET_THP_DISABLE)`: no transparent huge pages for this process (nor for the children it starts); 1 when
/// the kernel took it.
static inline int cnl_disable_thp(void) { return prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0; }

/// `prctl(PR_GET_THP_DISABLE)`: 1 when transparent huge pages are off for this process.
static inline int cnl_thp_disabled(void) { return prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1; }

/// glibc's `mallopt(M_ARENA_MAX, count)`: at most `count` malloc arenas from now on; 1 when accepted.
static inline int cnl_malloc_arena_max(int count) { return mallopt(M_ARENA_MAX, count); }

/// glibc's `mallopt(M_MMAP_THRESHOLD, bytes)` and `mallopt(M_TRIM_THRESHOLD, bytes)`: blocks of `bytes` and more
/// are mapped on their own and unmapped when freed, and free memory over `bytes` at the heap's top is handed back,
/// both fixed from now on (glibc otherwise raises them as mapped blocks are freed); 1 when both were accepted.
static inline int cnl_malloc_fix_thresholds(int bytes) {
    return mallopt(M_MMAP_THRESHOLD, bytes) == 1 && mallopt(M_TRIM_THRESHOLD, bytes) == 1;
}

/// The bytes glibc's allocator has handed out and not had back: in use in its arenas plus its mapped blocks.
static inline size_t cnl_malloc_bytes_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

/// 0 when a netfilter netlink socket (the one libnftables opens) can be opened, else -errno. libnftables 1.0.6
/// calls exit() when it cannot open that socket (a kernel without nfnetlink): the proxy asks first.
static inline int cnl_nfnetlink_available(void) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    if (fd < 0) return -errno;
    close(fd);
    return 0;
}

/// The most datagrams `cnl_recv_many` reads in one call.
#define CNL_RECV_MANY_MAX 512

/// Same layout as glibc's `struct mmsghdr` (only declared there under _GNU_SOURCE).
struct cnl_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

/// Reads up to `count` datagrams (at most CNL_RECV_MANY_MAX) from `fd` with one recvmmsg(2) call.
/// Datagram i lands at `base + i * slot`; its length goes to `lengths[i]` and `truncated[i]` is set
/// when it did not fit. Blocks for the first datagram only (MSG_WAITFORONE) unless `dontwait`.
/// Returns the number of datagrams read, or -errno.
static inline int cnl_recv_many(int fd, unsigned char *base, size_t slot, unsigned int count,
                                unsigned int *lengths, unsigned char *truncated, int dontwait) {
    struct iovec iov[CNL_RECV_MANY_MAX];
    struct cnl_mmsghdr msgs[CNL_RECV_MANY_MAX];
    if (count > CNL_RECV_MANY_MAX) count = CNL_RECV_MANY_MAX;
    memset(msgs, 0, sizeof(msgs[0]) * count);
    for (unsigned int i = 0; i < count; i++) {
        iov[i].iov_base = base + (size_t)i * slot;
        iov[i].iov_len = slot;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int flags = dontwait ? MSG_DONTWAIT : 0x10000 /* MSG_WAITFORONE */;
    long n;
    do {
        n = syscall(SYS_recvmmsg, fd, msgs, count, flags, NULL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    for (long i = 0; i < n; i++) {
        lengths[i] = msgs[i].msg_len;
        truncated[i] = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? 1 : 0;
    }
    return (int)n;
}

/// Sends `len` bytes (one or more netlink messages back to back) to the kernel in one sendto(2).
/// Returns the number of bytes sent, or -errno.
static inline long cnl_send_kernel(int fd, const void *buf, size_t len) {
    struct sockaddr_nl to;
    memset(&to, 0, sizeof(to));
    to.nl_family = AF_NETLINK;
    long n;
    do {
        n = sendto(fd, buf, len, 0, (const struct sockaddr *)&to, sizeof(to));
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

/// Sets an integer socket option; returns 0 or -errno.
static inline int cnl_setsockopt_int(int fd, int level, int name, int value) {
    return setsockopt(fd, level, name, &value, sizeof(value)) < 0 ? -errno : 0;
}

/// Sets SO_RCVTIMEO: a receive waits at most `microseconds` (0: for ever), then fails with EAGAIN.
/// Returns 0 or -errno.
static inline int cnl_set_receive_timeout(int fd, long long microseconds) {
    struct timeval tv;
    tv.tv_sec = (time_t)(microseconds / 1000000);
    tv.tv_usec = (suseconds_t)(microseconds % 1000000);
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ? -errno : 0;
}

/// Reads an integer socket option; returns the value or -errno.
static inline int cnl_getsockopt_int(int fd, int level, int name) {
    int value = 0;
    socklen_t len = sizeof(value);
    return getsockopt(fd, level, name, &value, &len) < 0 ? -errno : value;
}

#endif
