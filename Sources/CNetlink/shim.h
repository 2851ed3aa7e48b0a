// The C surface of ipvs-proxy: libnl-3, libnl-genl-3 and the kernel's uapi headers for IPVS and
// rtnetlink. Macros and variadic functions that Swift cannot import are wrapped here as
// `static inline` shims, named `cnl_*`. Nothing outside the IPVS module imports this.
#ifndef IPVS_PROXY_CNETLINK_SHIM_H
#define IPVS_PROXY_CNETLINK_SHIM_H

#include <errno.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/errno.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <linux/ip_vs.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>

/// The libnl error code for "object not found" etc., as a positive number.
static inline int cnl_errno(void) { return errno; }

#endif
