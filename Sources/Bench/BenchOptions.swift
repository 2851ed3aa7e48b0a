import Values

/// Where the benchmark puts its own pods, link and addresses (chosen not to collide with the proxy, the pods
/// fixture's defaults or a cluster: everything is made by the run and removed after it).
public struct BenchOptions: Sendable, Hashable {
    /// A binary with the `pods serve` subcommand (this project's `ipvs-bench`).
    public var executable: String
    /// The pods' bridge.
    public var bridgeName = "ipvsbench0"
    /// The pods' CIDR.
    public var podCIDR = AddressPrefix(IPv4Address(10, 245, 0, 0), length: 24)
    /// The dummy link that holds the VIP and the client source addresses.
    public var linkName = "ipvsbench-vip"
    /// The virtual server's address.
    public var vip = IPAddress.v4(IPv4Address(10, 97, 0, 1))
    /// Client source address `i` (from 0) is host address `i + 1` of this network (10.98.0.1, 10.98.0.2, ...).
    public var clientNetwork = AddressPrefix(IPv4Address(10, 98, 0, 0), length: 24)
    /// The VIP's port for the first scheduler; each scheduler of a run gets the next one, so that no connection
    /// entry a previous scheduler left in the kernel can catch a new connection.
    public var firstPort: UInt16 = 8000
    /// The pods' state, pid and log files.
    public var runDirectory = "/run/ipvs-proxy-bench"
    /// Seconds between samples of the IPVS table's active connections.
    public var sampleInterval: Duration = .milliseconds(250)
    /// Pause between two schedulers' runs, so the previous run's connections finish closing.
    public var settle: Duration = .milliseconds(500)

    /// Options with the defaults above.
    public init(executable: String) {
        self.executable = executable
    }
}
