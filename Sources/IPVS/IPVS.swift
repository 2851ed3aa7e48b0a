/// Kernel I/O for ipvs-proxy: IPVS over generic netlink, the VIP link over rtnetlink, and sysctls.
public enum IPVS {}
